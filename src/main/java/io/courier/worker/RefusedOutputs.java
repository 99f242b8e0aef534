package io.courier.worker;

import io.courier.platform.RecordLimit;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Polled records whose output Kafka refused (too large for its topic, invalid), with how often. Such a refusal aborts
 * the transaction of every record in it; the poll loop asks here before running a record again, so that the culprit
 * ends (given up, then committed without outputs) instead of aborting the others' transactions for ever. Which
 * errors blame the record: {@link RecordLimit#refusedForItself}.
 */
final class RefusedOutputs {

    private final Map<String, Integer> refusals = new ConcurrentHashMap<>();

    /**
     * A transaction aborted with these outputs refused. The broker refuses a whole batch, so every record batched with
     * the culprit fails alike: the largest is blamed. If another is too large as well, the next abort finds it, so
     * each abort ends one culprit.
     */
    void aborted(Collection<OffsetTracker.Output> refused) {
        refused.stream().max(Comparator.comparingInt(o -> o.record().value() == null ? 0 : o.record().value().length))
                .ifPresent(culprit -> refusals.merge(key(culprit), 1, Integer::sum));
    }

    /** These outputs were committed: their records are in the clear. */
    void committed(Collection<OffsetTracker.Output> outputs) {
        outputs.forEach(o -> refusals.remove(key(o)));
    }

    /** How often this record's output was refused (0: never). */
    int of(ConsumerRecord<String, byte[]> record) {
        return refusals.getOrDefault(record.topic() + "-" + record.partition() + "@" + record.offset(), 0);
    }

    private static String key(OffsetTracker.Output output) {
        return output.source() + "@" + output.sourceOffset();
    }
}
