package io.courier.retry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What Courier does with each class of failure (CONTRACT §4), and the delayed-retry tiers that carry the waits. */
@ConfigMapping(prefix = "courier.retry")
public interface RetryConfig {

    /** A constant because RetryState falls back to it where no configuration is running (plain unit tests). */
    String DEFAULT_TOPIC_PREFIX = "linkedin.jobs.retry.";

    /** Delay of each retry tier, shortest first; tier topics are named after it (linkedin.jobs.retry.10s). */
    @WithDefault("1s,10s,1m,10m,1h")
    @NotEmpty
    List<Duration> tiers();

    /** Prefix of the tier topics. */
    @WithDefault(DEFAULT_TOPIC_PREFIX)
    String topicPrefix();

    /**
     * A job whose runs keep being deferred without an attempt (an open circuit breaker, the token endpoint failing,
     * another pod's refresh) is dead-lettered once it has been failing this long: even an outage ends.
     */
    @WithDefault("24h")
    Duration giveUpAfter();

    /** One policy per error class, keyed by ErrorClass.configKey(); defaults in application.properties. */
    Map<String, @Valid ClassPolicy> policies();

    /** How one error class is handled. */
    interface ClassPolicy {
        /** retry, dead-letter, park, refresh-and-retry or succeed. */
        Action action();

        /** Attempts (calls to LinkedIn) before a retried job is dead-lettered. */
        @WithDefault("1")
        @Min(1)
        int maxAttempts();

        /** Delay before the first retry; later ones grow by the multiplier. */
        @WithDefault("1s")
        Duration initialDelay();

        @WithDefault("2")
        @DecimalMin("1")
        double multiplier();

        /** Cap of the computed delay (before jitter). */
        @WithDefault("1h")
        Duration maxDelay();

        /** Up to this much random delay is added, so retries of many jobs do not arrive together. */
        @WithDefault("0s")
        Duration maxJitter();

        /** Immediate retries on the same thread before a delayed retry (one quick retry for a 5xx). */
        @WithDefault("0")
        @Min(0)
        int inlineRetries();

        /** Whether a retry of this class uses up an attempt (a spent daily quota does not). */
        @WithDefault("true")
        boolean countsAsAttempt();

        /** Wait until the next 00:00 UTC instead of backing off (LinkedIn's daily quotas reset then). */
        @WithDefault("false")
        boolean untilUtcMidnight();

        /**
         * Whether a job deferred for this class is dead-lettered after courier.retry.give-up-after; false for a wait
         * that only an operator's deploy ends (an inactive LinkedIn-Version).
         */
        @WithDefault("true")
        boolean givesUp();
    }

    enum Action {
        RETRY, DEAD_LETTER, PARK, REFRESH_AND_RETRY, SUCCEED
    }

    default ClassPolicy policyFor(ErrorClass c) {
        ClassPolicy p = policies().get(c.configKey());
        if (p == null) {
            throw new IllegalStateException("Set courier.retry.policies." + c.configKey() + ".action");
        }
        // Parking waits for re-authorization and refreshing needs an expired token: no other class can use them.
        if (p.action() == Action.PARK && c != ErrorClass.REAUTH_REQUIRED
                || p.action() == Action.REFRESH_AND_RETRY && c != ErrorClass.AUTH_EXPIRED) {
            throw new IllegalStateException("courier.retry.policies." + c.configKey() + ".action="
                    + p.action().name().toLowerCase().replace('_', '-') + " is only valid for "
                    + (p.action() == Action.PARK ? "reauth-required" : "auth-expired"));
        }
        return p;
    }
}
