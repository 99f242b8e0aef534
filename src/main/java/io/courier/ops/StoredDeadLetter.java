package io.courier.ops;

import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;

/**
 * One indexed dead letter: where it sat, what it was, why it failed, and what ops did with it. {@code indexError} is
 * set on a degraded row: the record could not be indexed in full, and says why (its bytes and headers are kept).
 */
public record StoredDeadLetter(long id, int dlqPartition, long dlqOffset, Optional<String> jobId,
        Optional<String> jobType, Optional<String> accountId, String errorClass, Optional<Integer> httpStatus,
        Optional<String> linkedinCode, Optional<Integer> serviceErrorCode, Optional<String> linkedinRequestId,
        String message, Optional<Instant> firstFailureAt, Optional<Instant> lastFailureAt, int attempts,
        int replayCount, String originalTopic, Optional<Integer> originalPartition,
        Optional<Long> originalOffset, Instant deadAt, DeadLetterState state, Optional<Instant> handledAt,
        Optional<String> indexError, Optional<Record> record) {

    /** The original record, byte for byte as the producer sent it (value as UTF-8 text when it is text). */
    public record Record(Optional<String> key, byte[] value, Headers headers) {}
}
