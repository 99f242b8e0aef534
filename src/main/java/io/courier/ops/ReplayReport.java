package io.courier.ops;

import java.util.List;
import java.util.Map;

/**
 * What a replay or discard did, or would do on a dry run: how many dead letters matched, which went back to their
 * topic (or were discarded), which the loop guard refused, which wait for budget, and the budget estimate.
 */
public record ReplayReport(boolean dryRun, int matched, int replayed, int discarded, List<Long> ids,
                           List<Long> refusedLoopGuard, List<Long> deferredForBudget,
                           Map<String, Budget> budget) {

    /** Per LinkedIn resource: calls the replay needs, the application budget left, and what the replay may take. */
    public record Budget(int needed, Double remaining, Long allowed) {}
}
