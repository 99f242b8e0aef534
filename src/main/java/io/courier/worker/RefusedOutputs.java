package io.courier.worker;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Polled records whose output Kafka refused (too large for its topic, invalid), with how often. Such a refusal aborts
 * the transaction of every record in it; the poll loop asks here before running a record again, so that the culprit
 * ends (given up, then committed without outputs) instead of aborting the others' transactions for ever.
 */
final class RefusedOutputs {

    private final Map<String, Integer> refusals = new ConcurrentHashMap<>();

    /**
     * A send the broker refused for the record itself. Everything else is not the record's fault: the broker away
     * (retriable errors), or the collateral failures every other send of an aborted transaction gets.
     */
    static boolean refusedForItself(Exception e) {
        return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
                || e instanceof InvalidRecordException;
    }

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
