package io.courier.retry;

import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where a job is in its life of retries, carried in the headers of tier records: attempts so far, first failure,
 * and the record it started as. A record from a job topic starts fresh.
 */
public record RetryState(int attempts, Optional<Instant> firstFailureAt, String originalTopic, int originalPartition,
                         long originalOffset) {

    public static RetryState of(ConsumerRecord<?, ?> record) {
        var h = record.headers();
        Optional<String> topic = CourierHeaders.read(h, CourierHeaders.ORIGINAL_TOPIC);
        if (topic.isEmpty() || CourierHeaders.read(h, CourierHeaders.DUE_AT).isEmpty()) {
            return new RetryState(0, Optional.empty(), record.topic(), record.partition(), record.offset());
        }
        return new RetryState(
                CourierHeaders.read(h, CourierHeaders.ATTEMPTS).map(Integer::parseInt).orElse(0),
                CourierHeaders.read(h, CourierHeaders.FIRST_FAILURE_AT).map(Instant::parse),
                topic.get(),
                CourierHeaders.read(h, CourierHeaders.ORIGINAL_PARTITION).map(Integer::parseInt).orElse(-1),
                CourierHeaders.read(h, CourierHeaders.ORIGINAL_OFFSET).map(Long::parseLong).orElse(-1L));
    }

    /** The state after a failed run that made {@code countedCalls} attempts. */
    public RetryState after(int countedCalls, Instant failedAt) {
        return new RetryState(attempts + countedCalls, Optional.of(firstFailureAt.orElse(failedAt)), originalTopic,
                originalPartition, originalOffset);
    }
}
