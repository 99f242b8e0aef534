package io.courier.ops;

import java.util.List;
import java.util.Map;

/**
 * What a replay or discard did, or would do on a dry run: how many dead letters matched, which went back to their
 * topic (or were discarded), which the loop guard refused, which wait for budget, which could not be sent (each with
 * the reason; they stay NEW), and the budget estimate.
 */
public record ReplayReport(boolean dryRun, int matched, int replayed, int discarded, List<Long> ids,
        List<Long> refusedLoopGuard, List<Long> deferredForBudget, List<NotSent> notSent,
        Map<String, Budget> budget) {

    /** A dead letter the replay could not send (too large for Kafka, refused by it, no job topic to name). */
    public record NotSent(long id, String reason) {}

    /** Per LinkedIn resource: calls the replay needs, the application budget left, and what the replay may take. */
    public record Budget(int needed, Double remaining, Long allowed) {}
}
