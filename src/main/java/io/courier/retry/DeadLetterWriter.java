package io.courier.retry;

import io.courier.job.JobRef;
import io.courier.job.TopicsConfig;
import io.courier.platform.Outputs;
import io.courier.platform.RecordLimit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

/**
 * Writes a dead letter: the original key and value bytes, unchanged, plus the failure headers. One too large for
 * Kafka (a job near the topic's limit plus these headers, or a topic allowing more than courier.kafka.max-request-size)
 * is kept whole in PostgreSQL first ({@link DeadLetterSpill}), and the DLQ gets a copy that always fits: Courier's
 * headers, courier-truncated naming the row, and as much of the value's beginning as there is room for. Chosen over
 * refusing such records at start-up by configuration alone: a topic's limit and a producer's headers are not ours to
 * configure, and nothing may be lost (CONTRACT §3).
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // its counters at 0 before the first dead letter (rate() needs two samples)
public class DeadLetterWriter {

    private static final Logger LOG = Logger.getLogger(DeadLetterWriter.class);
    /** A header value in a truncated copy: about 17 of them then take at most ~100 KiB, far below any limit allowed. */
    private static final int MAX_COPIED_HEADER_CHARS = 2000;

    private final TopicsConfig topics;
    private final MeterRegistry metrics;
    private final RecordLimit limit;
    private final DeadLetterSpill spill;

    DeadLetterWriter(TopicsConfig topics, MeterRegistry metrics, RecordLimit limit, DeadLetterSpill spill) {
        this.topics = topics;
        this.metrics = metrics;
        this.limit = limit;
        this.spill = spill;
        // Every class at 0 from the start: rate() over a series born at its first increment misses that increment.
        for (ErrorClass c : ErrorClass.values()) {
            deadLetters(c);
        }
    }

    private Counter deadLetters(ErrorClass errorClass) {
        return Counter.builder("courier.dead.letters").description("Jobs dead-lettered, by error class")
                .tag("class", errorClass.name()).register(metrics);
    }

    /**
     * The record a dead letter is made of: where Courier read it and its bytes as read. A polled record, or a parked
     * one read back from PostgreSQL (kept without its timestamp), which is not a Kafka record any more.
     */
    public record Original(String topic, int partition, long offset, long timestamp, String key, byte[] value,
            Headers headers) {

        public static Original of(ConsumerRecord<String, byte[]> record) {
            return new Original(record.topic(), record.partition(), record.offset(), record.timestamp(), record.key(),
                    record.value(), record.headers());
        }

        /** A record kept since it was read, without its timestamp. */
        public static Original kept(String topic, int partition, long offset, String key, byte[] value,
                Headers headers) {
            return new Original(topic, partition, offset, ConsumerRecord.NO_TIMESTAMP, key, value, headers);
        }
    }

    public void write(Outputs outputs, Original original, JobRef job, Failure failure, RetryState state,
            Instant lastFailure) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.deadLetter(), null, original.key(),
                original.value(), CourierHeaders.deadLetter(original.headers(), job, failure, state, lastFailure));
        if (!limit.fits(record)) {
            long row = spill.keep(spillKey(original, job), record, lastFailure);
            LOG.infof("dead letter too large for Kafka, kept whole in dead_letter row=%d bytes=%d limit=%d", row,
                    limit.sizeOf(record), limit.maxBytes());
            record = truncatedCopy(record, row);
        }
        limit.add(outputs, record);
        deadLetters(failure.errorClass()).increment();
        LOG.infof("job dead-lettered errorClass=%s jobId=%s accountId=%s from=%s-%d@%d reason=%s",
                failure.errorClass(), job.jobId().orElse("-"), job.accountId().orElse("-"),
                state.originalTopic(), state.originalPartition(), state.originalOffset(), failure.message());
    }

    /**
     * The record being dead-lettered, as consumed: it gets one outcome, however often it runs. Its timestamp is part
     * of the key because offsets start again when a topic is re-created (a job without a readable id, e.g. one too
     * large to parse, would otherwise overwrite an older dead letter kept at the same offset).
     */
    private static String spillKey(Original original, JobRef job) {
        return original.topic() + "-" + original.partition() + "@" + original.offset() + "/" + original.timestamp()
                + "/" + job.jobId().orElse("-");
    }

    /** Courier's headers (values cut), the row id, the key when it fits, and the value's beginning. */
    private ProducerRecord<String, byte[]> truncatedCopy(ProducerRecord<String, byte[]> whole, long row) {
        Headers headers = new RecordHeaders();
        for (Header h : whole.headers()) {
            if (h.key().startsWith(CourierHeaders.PREFIX) && h.value() != null) {
                headers.add(h.key(), cut(h.value()));
            }
        }
        headers.add(CourierHeaders.TRUNCATED, Long.toString(row).getBytes(StandardCharsets.UTF_8));
        String key = whole.key();
        if (limit.roomForValue(new ProducerRecord<>(whole.topic(), null, key, null, headers)) < 0) {
            key = null; // a key larger than Kafka takes: the row has it
        }
        ProducerRecord<String, byte[]> bare = new ProducerRecord<>(whole.topic(), null, key, null, headers);
        byte[] value = whole.value() == null
                ? null
                : Arrays.copyOf(whole.value(), Math.max(0, Math.min(whole.value().length, limit.roomForValue(bare))));
        return new ProducerRecord<>(whole.topic(), null, key, value, headers);
    }

    private static byte[] cut(byte[] value) {
        String text = new String(value, StandardCharsets.UTF_8);
        return text.length() <= MAX_COPIED_HEADER_CHARS
                ? value
                : text.substring(0, MAX_COPIED_HEADER_CHARS).getBytes(StandardCharsets.UTF_8);
    }
}
