package io.courier.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * The event on linkedin.jobs.results for each finished job (CONTRACT §3). {@code type} is the wire name as the
 * producer sent it, so an invalid job with an unknown type can still be reported.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultEvent(String jobId, String type, String accountId, Status status, int attempts,
                          Instant finishedAt, String linkedinRequestId, JsonNode data, Boolean duplicate,
                          String errorClass, String errorMessage) {

    public enum Status { SUCCEEDED, DEAD_LETTERED }

    public static ResultEvent succeeded(JobEnvelope job, int attempts, Instant at, String requestId,
                                        JsonNode data, boolean duplicate) {
        return new ResultEvent(job.jobId(), job.type().wireName(), job.accountId(), Status.SUCCEEDED, attempts, at,
                requestId, data, duplicate ? Boolean.TRUE : null, null, null);
    }

    public static ResultEvent deadLettered(String jobId, String type, String accountId, int attempts, Instant at,
                                           String requestId, String errorClass, String errorMessage) {
        return new ResultEvent(jobId, type, accountId, Status.DEAD_LETTERED, attempts, at, requestId, null, null,
                errorClass, errorMessage);
    }
}
