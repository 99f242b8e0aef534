package io.courier.retry;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Where a job is in its life of retries, carried in the headers of tier records: attempts so far, first failure,
 * and the record it started as. Only a record read from a retry tier carries this state: on a job topic the
 * courier-* headers are a producer's (CONTRACT §3: ignored there), so such a record starts fresh and its original
 * topic is the one it was read from, whatever its headers say. Tier headers are read defensively: a malformed
 * one counts as absent (attempts 0, no first failure, partition and offset -1), never as an exception.
 */
public record RetryState(int attempts, Optional<Instant> firstFailureAt, String originalTopic, int originalPartition,
        long originalOffset) {

    // Kafka's legal topic names; anything else in courier-original-topic is not Courier's.
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    /** The state of a record; {@code tierPrefix} starts the name of every retry tier topic. */
    public static RetryState of(ConsumerRecord<?, ?> record, String tierPrefix) {
        return of(record.topic(), record.partition(), record.offset(), record.headers(), tierPrefix);
    }

    /** The state of a record read at this topic, partition and offset, with these headers. */
    public static RetryState of(String topic, int partition, long offset, Headers h, String tierPrefix) {
        if (!topic.startsWith(tierPrefix)) {
            return new RetryState(0, Optional.empty(), topic, partition, offset);
        }
        return new RetryState(
                CourierHeaders.number(h, CourierHeaders.ATTEMPTS).filter(n -> n <= Integer.MAX_VALUE)
                        .map(Long::intValue).orElse(0),
                CourierHeaders.instant(h, CourierHeaders.FIRST_FAILURE_AT),
                CourierHeaders.read(h, CourierHeaders.ORIGINAL_TOPIC).filter(t -> TOPIC.matcher(t).matches())
                        .orElse(topic),
                CourierHeaders.number(h, CourierHeaders.ORIGINAL_PARTITION).filter(n -> n <= Integer.MAX_VALUE)
                        .map(Long::intValue).orElse(-1),
                CourierHeaders.number(h, CourierHeaders.ORIGINAL_OFFSET).orElse(-1L));
    }

    /** The state after a failed run that made {@code countedCalls} attempts. */
    public RetryState after(int countedCalls, Instant failedAt) {
        return new RetryState(attempts + countedCalls, Optional.of(firstFailureAt.orElse(failedAt)), originalTopic,
                originalPartition, originalOffset);
    }
}
