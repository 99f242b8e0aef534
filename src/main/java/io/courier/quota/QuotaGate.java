package io.courier.quota;

import io.courier.linkedin.LinkedInException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Where jobs meet the budgets: {@link #take} before every LinkedIn call, {@link #linkedInRefused} after a 429, so
 * that Courier's view of the budgets follows LinkedIn's.
 */
@ApplicationScoped
public class QuotaGate {

    private static final Logger LOG = Logger.getLogger(QuotaGate.class);

    private final QuotaLimiter limiter;
    private final QuotaConfig config;
    private final MeterRegistry metrics;

    QuotaGate(QuotaLimiter limiter, QuotaConfig config, MeterRegistry metrics) {
        this.limiter = limiter;
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Debits one call of {@code resource} for the account.
     *
     * @throws QuotaDeniedException when a budget has no room (the call must not be made)
     */
    public void take(LinkedInResource resource, String accountId, boolean postJob) {
        if (!config.enabled()) {
            return;
        }
        if (limiter.debit(resource, accountId, postJob) instanceof QuotaLimiter.Permit.Wait wait) {
            metrics.counter("courier_quota_delayed_total", "resource", resource.endpoint, "reason", wait.reason()).increment();
            throw new QuotaDeniedException(resource, wait);
        }
    }

    /**
     * LinkedIn answered 429 anyway. A "DAY limit" marks the application's (or, when LinkedIn names the member, the
     * member's) bucket spent until its window ends; any other 429 is a short-term refusal: every pod holds back from
     * that member for Retry-After (or courier.quota.cooldown), and from the whole resource once at least
     * courier.quota.app-cooldown-after of them, and courier.quota.app-cooldown-share of the calls made, were refused
     * within the cooldown.
     */
    public void linkedInRefused(LinkedInException e, String accountId) {
        if (e.error().status() != 429) {
            return;
        }
        boolean daily = e.error().isDailyLimit();
        metrics.counter("courier_linkedin_429_total", "class", daily ? "QUOTA_EXHAUSTED" : "RATE_LIMITED").increment();
        Optional<LinkedInResource> resource = LinkedInResource.ofEndpoint(e.endpoint());
        if (resource.isEmpty() || !config.enabled()) {
            return;
        }
        if (daily) {
            boolean member = e.error().message().toUpperCase(Locale.ROOT).contains("MEMBER");
            var left = limiter.markSpent(resource.get(), member ? Optional.of(accountId) : Optional.empty());
            LOG.warnf("LinkedIn says a daily budget is spent; no pod calls it until the window ends resource=%s bucket=%s in=%s",
                    resource.get().endpoint, member ? "member" : "application", left);
        } else {
            var pause = e.error().retryAfter().orElse(config.cooldown());
            limiter.cooldown(resource.get(), Optional.of(accountId), pause);
            QuotaLimiter.Refusals recent = limiter.countRateLimited(resource.get());
            if (recent.refused() >= config.appCooldownAfter()
                    && recent.refused() >= config.appCooldownShare() * Math.max(1, recent.calls())) {
                limiter.cooldown(resource.get(), Optional.empty(), pause);
                LOG.warnf("LinkedIn refused several calls in a row; every pod holds back resource=%s for=%s",
                        resource.get().endpoint, pause);
            }
        }
    }
}
