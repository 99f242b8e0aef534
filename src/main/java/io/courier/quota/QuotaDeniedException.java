package io.courier.quota;

import io.courier.job.LinkedInOperation;
import java.time.Duration;

/** A LinkedIn call was not made: its budget has no room now. The job waits in the retry tiers; not an attempt. */
public final class QuotaDeniedException extends RuntimeException {

    private final LinkedInOperation resource;
    private final QuotaLimiter.Permit.Wait wait;
    private final Duration spread;

    QuotaDeniedException(LinkedInOperation resource, QuotaLimiter.Permit.Wait wait, Duration nextWindowSpread) {
        super(resource.endpoint + ": Courier's " + wait.reason() + " budget has no room for " + wait.delay().toMillis()
                + " ms",
                null, false, false);
        this.resource = resource;
        this.wait = wait;
        this.spread = wait.untilNextWindow()
                ? nextWindowSpread
                : Duration.ofMillis(Math.min(1000, wait.delay().toMillis()));
    }

    public LinkedInOperation resource() {
        return resource;
    }

    public Duration waitFor() {
        return wait.delay();
    }

    /**
     * Over how long the waiting jobs are spread after {@link #waitFor()}: courier.quota.next-window-spread for a
     * daily budget, so 00:00 UTC is not a thundering herd; up to a second otherwise.
     */
    public Duration spread() {
        return spread;
    }

    /** A daily budget (the wait runs to the next window), rather than a short-term rate or cooldown. */
    public boolean untilNextWindow() {
        return wait.untilNextWindow();
    }
}
