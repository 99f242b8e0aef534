package io.courier.auth;

import io.courier.platform.RedisLocks;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.redisson.api.RedissonClient;

/**
 * Looks ahead at every connected account's deadline (the refresh token's end, or the access token's when there
 * is no refresh token): emits reauth-soon once per threshold, and declares the grant dead once the deadline has
 * passed, without waiting for a job to find out. One pod runs it at a time (a Redisson lock); the event's dedupe
 * key makes "once per threshold" hold even if two scans overlapped.
 */
@ApplicationScoped
public class ReauthScan {

    private static final Logger LOG = Logger.getLogger(ReauthScan.class);

    /** What one scan did. */
    public record Result(boolean ran, int soonEvents, int deadGrants) {}

    private final EntityManager em;
    private final TokenStore tokens;
    private final AccountEvents events;
    private final RedissonClient redisson;
    private final Clock clock;
    private final List<Duration> withRefresh;
    private final List<Duration> withoutRefresh;
    private final Duration scanInterval;

    ReauthScan(EntityManager em, TokenStore tokens, AccountEvents events, RedissonClient redisson, Clock clock,
            TokenLifecycleConfig config) {
        this.em = em;
        this.tokens = tokens;
        this.events = events;
        this.redisson = redisson;
        this.clock = clock;
        this.withRefresh = config.reauthSoonThresholds().stream().sorted().toList();
        this.withoutRefresh = config.reauthSoonThresholdsWithoutRefresh().stream().sorted().toList();
        this.scanInterval = config.scanInterval();
    }

    @Scheduled(every = "${courier.tokens.scan-interval}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        try {
            Result result = scan();
            if (result.ran()) {
                LOG.infof("re-authorization scan done reauthSoonEvents=%d deadGrants=%d", result.soonEvents(),
                        result.deadGrants());
            }
        } catch (RuntimeException e) {
            LOG.warnf("re-authorization scan failed, next one in %s cause=%s", scanInterval, e.getMessage());
        }
    }

    public Result scan() {
        Duration lease = Duration.ofMillis(Math.max(scanInterval.toMillis() / 2, 10_000));
        return RedisLocks.underLock(redisson, "courier:reauth-scan", Duration.ZERO, lease, this::scanAccounts)
                .orElse(new Result(false, 0, 0)); // another pod is scanning
    }

    private Result scanAccounts() {
        Instant now = clock.instant();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                        select a.id, t.refresh_token is not null, coalesce(
                            case when t.refresh_token is not null then t.refresh_token_expires_at end,
                            case when t.refresh_token is null then t.access_token_expires_at end)
                        from account a join account_token t on t.account_id = a.id
                        where a.status = 'CONNECTED' and (
                            (t.refresh_token is not null and t.refresh_token_expires_at < ?1)
                            or (t.refresh_token is null and t.access_token_expires_at < ?2))""")
                .setParameter(1, Timestamp.from(now.plus(withRefresh.getLast())))
                .setParameter(2, Timestamp.from(now.plus(withoutRefresh.getLast())))
                .getResultList());
        int soon = 0;
        int dead = 0;
        for (Object[] row : rows) {
            String accountId = (String) row[0];
            boolean hasRefresh = (Boolean) row[1];
            Instant deadline = toInstant(row[2]);
            if (!deadline.isAfter(now)) {
                String reason = hasRefresh
                        ? "the refresh token's 365-day window ended at " + deadline
                        : "the access token expired at " + deadline + " and the account has no refresh token";
                dead += tokens.markReauthRequired(accountId, reason, Optional.empty()) ? 1 : 0;
            } else if (soonEvent(accountId, hasRefresh, deadline, now)) {
                soon++;
            }
        }
        return new Result(true, soon, dead);
    }

    /** The tightest threshold crossed, unless it (or a tighter one) was already announced for this deadline. */
    private boolean soonEvent(String accountId, boolean hasRefresh, Instant deadline, Instant now) {
        Duration left = Duration.between(now, deadline);
        Optional<Duration> crossed = (hasRefresh ? withRefresh : withoutRefresh).stream()
                .filter(t -> left.compareTo(t) <= 0).findFirst();
        if (crossed.isEmpty()) {
            return false;
        }
        String prefix = "reauth-soon:" + accountId + ":" + deadline.getEpochSecond() + ":";
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<String> sent = em
                    .createNativeQuery("select dedupe_key from auth_event where account_id = ?1 and dedupe_key like ?2")
                    .setParameter(1, accountId).setParameter(2, prefix + "%").getResultList();
            boolean tighterSent = sent.stream().map(k -> Long.parseLong(k.substring(prefix.length())))
                    .anyMatch(seconds -> seconds <= crossed.get().toSeconds());
            if (tighterSent) {
                return false;
            }
            String reason = (hasRefresh
                    ? "the refresh token ends at "
                    : "the account has no refresh token and its access token ends at ")
                    + deadline + " (in " + left.toDays() + " days): the member must reconnect before then";
            return events.add(AccountEvents.Type.REAUTH_SOON,
                    new AccountEvents.Data(accountId, reason, Optional.empty(),
                            hasRefresh ? Optional.of(deadline) : Optional.empty(), Optional.empty()),
                    Optional.of(prefix + crossed.get().toSeconds()));
        });
    }

    private static Instant toInstant(Object value) {
        return switch (value) {
            case Timestamp t -> t.toInstant();
            case Instant i -> i;
            case java.time.OffsetDateTime o -> o.toInstant();
            default -> throw new IllegalStateException("unexpected timestamp type " + value.getClass());
        };
    }
}
