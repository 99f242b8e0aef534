package io.courier.retry;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Maps a failure and the attempts so far to a {@link Decision}. Pure: no I/O, no clock and no randomness of its
 * own ({@code now} and the jitter draw come in), so a table test covers it. Checks every class's policy at
 * start-up, so a missing one fails the start and not the first unlucky job.
 */
@Startup
@ApplicationScoped
public class RetryPolicy {

    private final RetryConfig config;

    public RetryPolicy(RetryConfig config) {
        this.config = config;
        for (ErrorClass c : ErrorClass.values()) {
            config.policyFor(c);
        }
    }

    /** Immediate retries allowed for this class, on a job's first run only, before delayed ones. */
    public int inlineRetries(ErrorClass errorClass, int attemptsBefore) {
        return attemptsBefore == 0 ? config.policyFor(errorClass).inlineRetries() : 0;
    }

    /**
     * A failed attempt. {@code calls} are the run's calls to LinkedIn that were attempts (the failing one included);
     * they count unless the class says otherwise (a spent daily quota is not the job's fault, CONTRACT §4).
     */
    public Decision decide(Failure failure, int attemptsBefore, int calls, Instant now, double jitterDraw) {
        RetryConfig.ClassPolicy p = config.policyFor(failure.errorClass());
        int attempts = attemptsBefore + (p.countsAsAttempt() ? calls : 0);
        return switch (p.action()) {
            case DEAD_LETTER -> new Decision.DeadLetter(failure.errorClass(), failure.message(), attempts);
            case PARK -> new Decision.Park(attempts);
            case SUCCEED -> new Decision.TreatAsSuccess(attempts);
            // REFRESH_AND_RETRY: the worker refreshed the token and retried at once already; still failing, the
            // job is delayed like RETRY (LinkedIn may not know the new token yet).
            case RETRY, REFRESH_AND_RETRY -> p.countsAsAttempt() && attempts >= p.maxAttempts()
                    ? new Decision.DeadLetter(failure.errorClass(), attempts + " attempts: " + failure.message(),
                            attempts)
                    : new Decision.RetryLater(now.plus(delay(p, attempts, failure.retryAfter(), now, jitterDraw)),
                            attempts);
        };
    }

    /**
     * No budget for the next call: the job waits in the tiers until {@code waitFor} has passed, plus a random share
     * of {@code spread} (so a new daily window is not a thundering herd). Never a dead letter: it is no failure of
     * the job's. {@code calls}, the run's calls before the denial, count.
     */
    public Decision.RetryLater waitForBudget(int attemptsBefore, int calls, Duration waitFor, Duration spread,
            Instant now, double jitterDraw) {
        return new Decision.RetryLater(now.plus(waitFor).plusMillis((long) (jitterDraw * (spread.toMillis() + 1))),
                attemptsBefore + calls);
    }

    /**
     * A run that failed without being an attempt: the call never reached LinkedIn (an open breaker refused it, the
     * token endpoint failed, another pod holds the refresh lock) or it was part of an outage the breaker already
     * saw. The job waits about as long as it has been failing (so the waits double, from the class's initial delay
     * up to its max delay) and is dead-lettered only after courier.retry.give-up-after. {@code calls}: the run's
     * calls that were attempts, made before the deferred failure (which was none).
     */
    public Decision defer(Failure failure, int attemptsBefore, int calls, Optional<Instant> firstFailureAt, Instant now,
            double jitterDraw) {
        RetryConfig.ClassPolicy p = config.policyFor(failure.errorClass());
        int attempts = attemptsBefore + calls;
        if (p.action() != RetryConfig.Action.RETRY && p.action() != RetryConfig.Action.REFRESH_AND_RETRY) {
            return decide(failure, attempts, 0, now, jitterDraw);
        }
        Duration failing = Duration.between(firstFailureAt.orElse(now), now);
        if (p.givesUp() && failing.compareTo(config.giveUpAfter()) >= 0) {
            return new Decision.DeadLetter(failure.errorClass(),
                    "failing for " + failing.toMinutes() + " min (courier.retry"
                            + ".give-up-after=" + config.giveUpAfter() + "): " + failure.message(),
                    attempts);
        }
        Duration jitter = Duration.ofMillis((long) (jitterDraw * p.maxJitter().toMillis()));
        Duration wait = p.untilUtcMidnight()
                ? delay(p, 1, failure.retryAfter(), now, jitterDraw)
                : clamp(Duration.ofMillis((long) (failing.toMillis() * (p.multiplier() - 1))), p.initialDelay(),
                        p.maxDelay())
                        .plus(jitter);
        Duration finalWait = failure.retryAfter().filter(ra -> ra.compareTo(wait) > 0).orElse(wait);
        return new Decision.RetryLater(now.plus(finalWait), attempts);
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }

    /** The wait before the next attempt; attempts counts the calls made so far (1 after the first failure). */
    static Duration delay(RetryConfig.ClassPolicy p, int attempts, Optional<Duration> retryAfter, Instant now,
            double jitterDraw) {
        Duration jitter = Duration.ofMillis((long) (jitterDraw * p.maxJitter().toMillis()));
        if (p.untilUtcMidnight()) {
            Instant midnight = now.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).plusDays(1).toInstant();
            return Duration.between(now, midnight).plus(jitter);
        }
        // The n of "initial × multiplierⁿ" counts delayed retries only: inline ones came first and were immediate.
        double factor = Math.pow(p.multiplier(), Math.max(0, attempts - 1 - p.inlineRetries()));
        long backoffMs = (long) Math.min(p.initialDelay().toMillis() * factor, p.maxDelay().toMillis());
        Duration backoff = Duration.ofMillis(backoffMs).plus(jitter);
        // Honour Retry-After when LinkedIn asks for longer; never depend on it being sent (linkedin-api.md §3).
        return retryAfter.filter(ra -> ra.compareTo(backoff) > 0).orElse(backoff);
    }
}
