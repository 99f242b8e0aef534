package io.courier.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

/**
 * The largest record Courier sends (courier.kafka.max-request-size, which is also its producers' max.request.size),
 * and the gate every job output (result, retry record, dead letter) passes on its way into an {@link Outputs}: a
 * record over the limit never reaches a producer, where it would fail the whole Kafka transaction of its poll loop.
 * Writers that can make a record smaller (a result split into parts, a dead letter kept whole in PostgreSQL) ask
 * {@link #fits} first; {@link #add} refuses whatever is still too large.
 */
@ApplicationScoped
public class RecordLimit {

    /**
     * Room a job record needs beyond its value for the headers Courier adds on the way to a retry tier or the DLQ
     * (about 17 headers, the error message cut at 2,000 characters) and its key: courier.worker.max-record-bytes
     * must leave at least this much under the limit.
     */
    public static final int COURIER_HEADER_ROOM = 16 * 1024;
    /**
     * Room every output keeps for the trace headers JobTracing writes last, after this gate (traceparent, a tracestate
     * of at most 512 characters, courier-origin-traceparent): counted in {@link #sizeOf}, so what fits here still
     * fits with them.
     */
    static final int TRACE_HEADER_ROOM = 1024;
    /** A value's length is a varint: an empty value's takes 1 byte, a value of up to 2 GB at most 5. */
    private static final int VALUE_LENGTH_SLACK = 4;

    private final int maxBytes;

    @Inject
    RecordLimit(KafkaConfig config) {
        this(config.maxRequestSize());
    }

    // visible for testing
    public RecordLimit(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /**
     * The record's size as the producer counts it against max.request.size: Kafka's own upper-bound estimate of a
     * batch holding only this record (uncompressed, as Courier's producers send), plus the trace headers' room.
     */
    public int sizeOf(ProducerRecord<String, byte[]> record) {
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE, key,
                record.value(), record.headers().toArray()) + TRACE_HEADER_ROOM;
    }

    public boolean fits(ProducerRecord<String, byte[]> record) {
        return sizeOf(record) <= maxBytes;
    }

    /**
     * How many value bytes a record with this one's topic, key and headers may carry; negative when even an empty value
     * is too large.
     */
    public int roomForValue(ProducerRecord<String, byte[]> record) {
        return maxBytes - sizeOf(new ProducerRecord<>(record.topic(), record.partition(), record.key(), new byte[0],
                record.headers())) - VALUE_LENGTH_SLACK;
    }

    /**
     * A send the broker (or the producer) refused for the record itself: too large or invalid for it. Everything else
     * is not the record's fault: the producer fails every unsent record of a failed transaction with the
     * transaction's error (a CommitFailedException after the group forgot this member during a broker freeze, a
     * fenced or timed-out producer, a retriable error), and none of those records is to blame (BrokerOutageIT saw 27
     * published posts dead-lettered when any non-retriable error counted). Replays and released parked jobs use the
     * same rule: such a row is reported or dead-lettered on its own, anything else fails its batch, to be tried again.
     */
    public static boolean refusedForItself(Throwable e) {
        return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
                || e instanceof InvalidRecordException || e instanceof InvalidTopicException
                || e instanceof SerializationException;
    }

    /** Puts the record in the outputs, or throws {@link OutputTooLargeException} when it is over the limit. */
    public void add(Outputs outputs, ProducerRecord<String, byte[]> record) {
        int size = sizeOf(record);
        if (size > maxBytes) {
            throw new OutputTooLargeException(record.topic(), size, maxBytes);
        }
        outputs.add(record);
    }
}
