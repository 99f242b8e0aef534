package io.courier.quota;

import io.courier.job.LinkedInOperation;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * LinkedIn's daily budgets as Courier spends them (linkedin-api.md §4: two counters per resource, application and
 * member, in fixed windows that reset at 00:00 UTC; the numbers are in the app's Developer Portal, not published).
 */
@ConfigMapping(prefix = "courier.quota")
public interface QuotaConfig {

    /** Off: no budget is checked (LinkedIn's own 429s still delay jobs). */
    @WithDefault("true")
    boolean enabled();

    /** The budget window, aligned to the epoch: 1d resets at 00:00 UTC like LinkedIn. Tests use seconds. */
    @WithDefault("1d")
    Duration window();

    /** Share of each application budget that only post jobs may use (sync jobs stop short of it). */
    @WithDefault("0.2")
    @DecimalMin("0")
    @DecimalMax("1")
    double postReserve();

    /** Jobs that wait for the next window are spread over this much time after it starts. */
    @WithDefault("15m")
    Duration nextWindowSpread();

    /**
     * How long pods hold back after a short-term 429 without Retry-After (from that member, or from everyone):
     * by default the contract's first 429 backoff, so the refused job and its member's next ones wait alike.
     */
    @WithDefault("1s")
    Duration cooldown();

    /**
     * Short-term 429s of a resource within courier.quota.cooldown, across pods, that make every pod hold back from
     * it for every member, if they are also at least courier.quota.app-cooldown-share of the calls made in that
     * time. Fewer hold back only the members they came for: LinkedIn answers an occasional 429 as infrastructure
     * protection, and stopping the whole app for each would stall everyone.
     */
    @WithDefault("5")
    @Min(1)
    int appCooldownAfter();

    /** See appCooldownAfter: the share of recent calls that must have been refused (0.2 = one in five). */
    @WithDefault("0.2")
    @DecimalMin("0")
    @DecimalMax("1")
    double appCooldownShare();

    /** Prefix of the Redis keys, so environments sharing a Redis keep separate budgets. */
    @WithDefault("courier:quota")
    String keyPrefix();

    /** Budgets per resource: posts-create, userinfo, posts-author, share-statistics, organization-acls. */
    Map<String, @Valid Budget> resources();

    interface Budget {
        /** Calls per window for the whole application. */
        @Min(0)
        long appDaily();

        /** Calls per window for one member (per account). */
        @Min(0)
        long memberDaily();

        /** Optional smoothing: calls per second for the whole application (a token bucket). */
        Optional<@DecimalMin("0.001") Double> ratePerSecond();

        /** Burst of that token bucket. */
        @WithDefault("10")
        @Min(1)
        int burst();
    }

    default Budget budgetOf(LinkedInOperation resource) {
        Budget b = resources().get(resource.configKey);
        if (b == null) {
            throw new IllegalStateException("Set courier.quota.resources." + resource.configKey
                    + ".app-daily and .member-daily (the numbers are in the app's LinkedIn Developer Portal)");
        }
        return b;
    }
}
