package io.courier.retry;

import io.courier.job.JobRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Courier's Kafka header names (CONTRACT §3) and the one place that writes them: UTF-8 strings, never a token.
 */
public final class CourierHeaders {

    public static final String PREFIX = "courier-";
    public static final String ERROR_CLASS = "courier-error-class";
    public static final String ERROR_MESSAGE = "courier-error-message";
    public static final String HTTP_STATUS = "courier-http-status";
    public static final String LINKEDIN_CODE = "courier-linkedin-code";
    public static final String LINKEDIN_SERVICE_ERROR_CODE = "courier-linkedin-service-error-code";
    public static final String LINKEDIN_REQUEST_ID = "courier-linkedin-request-id";
    public static final String ATTEMPTS = "courier-attempts";
    public static final String FIRST_FAILURE_AT = "courier-first-failure-at";
    public static final String LAST_FAILURE_AT = "courier-last-failure-at";
    public static final String ORIGINAL_TOPIC = "courier-original-topic";
    public static final String ORIGINAL_PARTITION = "courier-original-partition";
    public static final String ORIGINAL_OFFSET = "courier-original-offset";
    public static final String JOB_ID = "courier-job-id";
    public static final String JOB_TYPE = "courier-job-type";
    public static final String ACCOUNT_ID = "courier-account-id";
    public static final String REPLAY_COUNT = "courier-replay-count";
    /**
     * On a dead letter too large for Kafka: the id of the dead_letter row that holds the whole record; the value is
     * the original's beginning and only Courier's headers are kept (DeadLetterWriter).
     */
    public static final String TRUNCATED = "courier-truncated";
    /**
     * The W3C traceparent the job's trace started from (the producer's, or Courier's first run of it), kept on every
     * retry record and dead letter so each later run joins the same trace (JobTracing); a replay drops it.
     */
    public static final String ORIGIN_TRACEPARENT = "courier-origin-traceparent";
    /** On tier records: when the job may run again (epoch milliseconds). */
    public static final String DUE_AT = "courier-due-at";

    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
    /** Messages are cut here: a header is for reading, the full story is in the logs (by x-li-uuid). */
    private static final int MAX_MESSAGE_CHARS = 2000;

    private CourierHeaders() {}

    /**
     * Headers of a dead letter: the producer's own headers (minus earlier failure headers, which this failure
     * replaces; a replay count is kept) plus every failure header of CONTRACT §3.
     */
    public static Headers deadLetter(Headers original, JobRef job, Failure failure, RetryState state,
            Instant lastFailure) {
        Headers headers = producerHeadersAndReplayCount(original);
        put(headers, ERROR_CLASS, failure.errorClass().name());
        put(headers, ERROR_MESSAGE, truncate(failure.message()));
        failure.httpStatus().ifPresent(s -> put(headers, HTTP_STATUS, Integer.toString(s)));
        failure.linkedInCode().ifPresent(c -> put(headers, LINKEDIN_CODE, c));
        failure.serviceErrorCode().ifPresent(c -> put(headers, LINKEDIN_SERVICE_ERROR_CODE, Integer.toString(c)));
        failure.linkedinRequestId().ifPresent(id -> put(headers, LINKEDIN_REQUEST_ID, id));
        put(headers, ATTEMPTS, Integer.toString(state.attempts()));
        put(headers, FIRST_FAILURE_AT, state.firstFailureAt().orElse(lastFailure).toString());
        put(headers, LAST_FAILURE_AT, lastFailure.toString());
        putOriginAndJob(headers, job, state);
        return headers;
    }

    /**
     * Headers of a job that waits for its notBefore in the tiers: no failure headers (it did not fail, and a first
     * failure time would make the job's later waits and give-up count from its scheduling), only its retry state
     * as it came and when it is due.
     */
    public static Headers scheduled(Headers original, JobRef job, RetryState state, Instant dueAt) {
        Headers headers = producerHeadersAndReplayCount(original);
        put(headers, ATTEMPTS, Integer.toString(state.attempts()));
        state.firstFailureAt().ifPresent(t -> put(headers, FIRST_FAILURE_AT, t.toString()));
        putOriginAndJob(headers, job, state);
        put(headers, DUE_AT, Long.toString(dueAt.toEpochMilli()));
        return headers;
    }

    /** The producer's headers, and a replay count as the loop guard reads it (when the record has one). */
    private static Headers producerHeadersAndReplayCount(Headers original) {
        Headers headers = producerHeaders(original);
        if (read(original, REPLAY_COUNT).isPresent()) {
            put(headers, REPLAY_COUNT, Integer.toString(replayCount(original)));
        }
        return headers;
    }

    /** Where the job was first read, and which job it is. */
    private static void putOriginAndJob(Headers headers, JobRef job, RetryState state) {
        put(headers, ORIGINAL_TOPIC, state.originalTopic());
        put(headers, ORIGINAL_PARTITION, Integer.toString(state.originalPartition()));
        put(headers, ORIGINAL_OFFSET, Long.toString(state.originalOffset()));
        job.jobId().ifPresent(v -> put(headers, JOB_ID, v));
        job.type().ifPresent(v -> put(headers, JOB_TYPE, v));
        job.accountId().ifPresent(v -> put(headers, ACCOUNT_ID, v));
    }

    /** Headers of a tier record: the failure headers plus when the job is due. */
    public static Headers retry(Headers original, JobRef job, Failure failure, RetryState state,
            Instant lastFailure, Instant dueAt) {
        Headers headers = deadLetter(original, job, failure, state, lastFailure);
        put(headers, DUE_AT, Long.toString(dueAt.toEpochMilli()));
        return headers;
    }

    /**
     * The headers a job keeps when Courier sends it on (dead letter, tier, release, replay): the producer's own, in
     * their order, without Courier's (courier-*), which described an earlier run; those named in {@code keep} stay
     * as they are.
     */
    public static Headers producerHeaders(Iterable<Header> original, String... keep) {
        Set<String> kept = Set.of(keep);
        Headers headers = new RecordHeaders();
        for (Header h : original) {
            if (!h.key().startsWith(PREFIX) || kept.contains(h.key())) {
                headers.add(h);
            }
        }
        return headers;
    }

    /**
     * Headers of a replayed dead letter: the producer's own and the replay count after {@code replayCount} earlier
     * replays. Saturates: an unreadable count was indexed as the maximum and stays there ({@link #replayCount}).
     */
    public static Headers replay(Iterable<Header> original, int replayCount) {
        Headers headers = producerHeaders(original);
        int count = replayCount == Integer.MAX_VALUE ? Integer.MAX_VALUE : replayCount + 1;
        put(headers, REPLAY_COUNT, Integer.toString(count));
        return headers;
    }

    public static Optional<String> read(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null
                ? Optional.empty()
                : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }

    /** When a tier record is due; empty when the header is absent or not epoch milliseconds. */
    public static Optional<Instant> dueAt(Headers headers) {
        return number(headers, DUE_AT).map(Instant::ofEpochMilli);
    }

    /**
     * How often the job was replayed. A count that is not a non-negative number counts as the maximum: the count is
     * the replay loop guard (courier.dead-letters.max-replays), and a guard fails closed; Courier only writes
     * numbers, so whoever wrote it is not Courier, and an operator can still force the replay. Absent is 0.
     */
    public static int replayCount(Headers headers) {
        Optional<String> raw = read(headers, REPLAY_COUNT);
        return raw.isEmpty()
                ? 0
                : number(headers, REPLAY_COUNT).filter(n -> n <= Integer.MAX_VALUE)
                        .map(Long::intValue).orElse(Integer.MAX_VALUE);
    }

    /** A header holding a non-negative decimal number (at most 18 digits, so it fits a long); empty otherwise. */
    static Optional<Long> number(Headers headers, String key) {
        return read(headers, key).filter(v -> DIGITS.matcher(v).matches()).map(Long::parseLong);
    }

    /** A header holding an ISO-8601 instant as Courier writes it; empty otherwise. */
    static Optional<Instant> instant(Headers headers, String key) {
        Optional<String> raw = read(headers, key).filter(v -> v.length() <= 64);
        try {
            return raw.map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String truncate(String message) {
        return message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS - 1) + "…";
    }
}
