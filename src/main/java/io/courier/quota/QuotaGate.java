package io.courier.quota;

import io.courier.job.LinkedInOperation;
import io.courier.linkedin.LinkedInException;
import io.courier.tracing.JobTracing;
import io.micrometer.core.instrument.Counter;
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
@io.quarkus.runtime.Startup // its counters at 0 before the first 429 (rate() needs two samples)
public class QuotaGate {

    private static final Logger LOG = Logger.getLogger(QuotaGate.class);

    private final QuotaLimiter limiter;
    private final QuotaConfig config;
    private final MeterRegistry metrics;

    private final JobTracing tracing;

    QuotaGate(QuotaLimiter limiter, QuotaConfig config, MeterRegistry metrics, JobTracing tracing) {
        this.tracing = tracing;
        this.limiter = limiter;
        this.config = config;
        this.metrics = metrics;
        refused(true);
        refused(false);
    }

    private Counter refused(boolean daily) {
        return Counter.builder("courier.linkedin.429")
                .description("LinkedIn answers 429 despite the budgets, by class (daily quota or short-term throttle)")
                .tag("class", daily ? "QUOTA_EXHAUSTED" : "RATE_LIMITED").register(metrics);
    }

    /**
     * Debits one call of {@code resource} for the account.
     *
     * @throws QuotaDeniedException when a budget has no room (the call must not be made)
     */
    public void take(LinkedInOperation resource, String accountId, boolean postJob) {
        if (!config.enabled()) {
            return;
        }
        if (tracing.step("budget debit",
                () -> limiter.debit(resource, accountId, postJob)) instanceof QuotaLimiter.Permit.Wait wait) {
            Counter.builder("courier.quota.delayed")
                    .description("LinkedIn calls held back because a shared budget had no room, by resource and reason")
                    .tags("resource", resource.endpoint, "reason", wait.reason()).register(metrics).increment();
            throw new QuotaDeniedException(resource, wait, config.nextWindowSpread());
        }
    }

    /**
     * LinkedIn answered 429 anyway. A "DAY limit" marks the application's (or, when LinkedIn names the member, the
     * member's) bucket spent until its window ends; any other 429 is a short-term refusal: every pod holds back from
     * that member for Retry-After, or for courier.quota.cooldown if it is its second refusal within that time (a lone
     * 429 without Retry-After is answered by the job's own backoff), and from the whole resource once at least
     * courier.quota.app-cooldown-after of them, and courier.quota.app-cooldown-share of the calls made, were refused
     * within the cooldown.
     */
    public void linkedInRefused(LinkedInException e, String accountId) {
        if (e.error().status() != 429) {
            return;
        }
        boolean daily = e.error().isDailyLimit();
        refused(daily).increment();
        Optional<LinkedInOperation> resource = LinkedInOperation.ofEndpoint(e.endpoint());
        if (resource.isEmpty() || !config.enabled()) {
            return;
        }
        if (daily) {
            boolean member = e.error().message().toUpperCase(Locale.ROOT).contains("MEMBER");
            var left = limiter.markSpent(resource.get(), member ? Optional.of(accountId) : Optional.empty());
            LOG.warnf(
                    "LinkedIn says a daily budget is spent; no pod calls it until the window ends resource=%s bucket=%s in=%s",
                    resource.get().endpoint, member ? "member" : "application", left);
        } else {
            QuotaLimiter.Refusal refusal = limiter.refused(resource.get(), accountId, e.error().retryAfter());
            if (refusal.appHeldBack()) {
                LOG.warnf(
                        "LinkedIn refused many recent calls; every pod holds back resource=%s for=%s refused=%d calls=%d",
                        resource.get().endpoint, e.error().retryAfter().orElse(config.cooldown()), refusal.refused(),
                        refusal.calls());
            }
        }
    }
}
