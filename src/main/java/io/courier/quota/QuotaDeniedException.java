package io.courier.quota;

import io.courier.job.LinkedInOperation;
import java.time.Duration;

/** A LinkedIn call was not made: its budget has no room now. The job waits in the retry tiers; not an attempt. */
public final class QuotaDeniedException extends RuntimeException {

    private final LinkedInOperation resource;
    private final QuotaLimiter.Permit.Wait wait;

    QuotaDeniedException(LinkedInOperation resource, QuotaLimiter.Permit.Wait wait) {
        super(resource.endpoint + ": Courier's " + wait.reason() + " budget has no room for " + wait.delay().toMillis() + " ms",
                null, false, false);
        this.resource = resource;
        this.wait = wait;
    }

    public LinkedInOperation resource() {
        return resource;
    }

    public Duration waitFor() {
        return wait.delay();
    }

    /** A daily budget (the wait runs to the next window), rather than a short-term rate or cooldown. */
    public boolean untilNextWindow() {
        return wait.untilNextWindow();
    }
}
