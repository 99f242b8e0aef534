package io.courier.ops;

import java.util.Arrays;
import java.util.List;

/**
 * Where a dead_letter row is in its life. The names are stored in dead_letter.state and shown by the admin API, the
 * ops page and the CLI: never rename one. NEW → REPLAYED or DISCARDED; PENDING only for a record too large for
 * Kafka, until the indexer links its truncated copy (then NEW).
 */
public enum DeadLetterState {
    PENDING, NEW, REPLAYED, DISCARDED;

    /** The states an operator can list and filter by (a PENDING row is listed nowhere). */
    public static final List<DeadLetterState> LISTED = Arrays.stream(values()).filter(s -> s != PENDING).toList();
}
