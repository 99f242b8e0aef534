package io.courier.worker;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Polled records whose output Kafka refused (too large for its topic, invalid), with how often. Such a refusal aborts
 * the transaction of every record in it; the poll loop asks here before running a record again, so that the culprit
 * ends (given up, then committed without outputs) instead of aborting the others' transactions for ever.
 */
final class RefusedOutputs {

    private final Map<String, Integer> refusals = new ConcurrentHashMap<>();

    /**
     * A send the broker refused for the record itself (too large or invalid for it). Everything else is not the
     * record's fault: the producer fails every unsent record of a failed transaction with the transaction's error (a
     * CommitFailedException after the group forgot this member during a broker freeze, a fenced or timed-out
     * producer, a retriable error), and none of those records is to blame (BrokerOutageIT saw 27 published posts
     * dead-lettered when any non-retriable error counted).
     */
    static boolean refusedForItself(Exception e) {
        return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
                || e instanceof InvalidRecordException || e instanceof InvalidTopicException
                || e instanceof SerializationException;
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
