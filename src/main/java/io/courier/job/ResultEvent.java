package io.courier.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * The event on linkedin.jobs.results for each finished job (CONTRACT §3). {@code type} is the wire name as the
 * producer sent it, so an invalid job with an unknown type can still be reported. An event too large for one Kafka
 * record is sent as parts (README, "The result event"): each a copy of the event with {@link #PART}, {@link #PARTS}
 * and {@link #FINAL} added and a slice of the list under {@code data}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultEvent(String jobId, String type, String accountId, Status status, int attempts,
        Instant finishedAt, String linkedinRequestId, JsonNode data, Boolean duplicate,
        String errorClass, String errorMessage) {

    public enum Status {
        SUCCEEDED, DEAD_LETTERED, CANCELLED
    }

    /**
     * Fields of a result sent in parts: this part's number (from 1), how many there are, and whether it is the last.
     */
    public static final String PART = "part";
    public static final String PARTS = "parts";
    public static final String FINAL = "final";
    /** As in the courier-error-message header: the message is for reading, the whole story is in the logs. */
    static final int MAX_ERROR_MESSAGE_CHARS = 2000;

    public static ResultEvent succeeded(JobEnvelope job, int attempts, Instant at, String requestId,
            JsonNode data, boolean duplicate) {
        return new ResultEvent(job.jobId(), job.type().wireName(), job.accountId(), Status.SUCCEEDED, attempts, at,
                requestId, data, duplicate ? Boolean.TRUE : null, null, null);
    }

    /** The job was cancelled before it ran; {@code type} is null when no version of it was seen waiting. */
    public static ResultEvent cancelled(String jobId, String type, String accountId, Instant at) {
        return new ResultEvent(jobId, type, accountId, Status.CANCELLED, 0, at, null, null, null, null, null);
    }

    public static ResultEvent deadLettered(String jobId, String type, String accountId, int attempts, Instant at,
            String requestId, String errorClass, String errorMessage) {
        String message = errorMessage == null || errorMessage.length() <= MAX_ERROR_MESSAGE_CHARS
                ? errorMessage
                : errorMessage.substring(0, MAX_ERROR_MESSAGE_CHARS - 1) + "…";
        return new ResultEvent(jobId, type, accountId, Status.DEAD_LETTERED, attempts, at, requestId, null, null,
                errorClass, message);
    }
}
