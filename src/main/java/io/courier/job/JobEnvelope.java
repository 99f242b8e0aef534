package io.courier.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated job (CONTRACT §3). Only JobValidator makes these, so holding one means the job passed the schema.
 * {@code notBefore}: the job is not run before then; {@code notAfter}: a job that could not run by then is EXPIRED.
 */
public record JobEnvelope(String jobId, JobType type, String accountId, Instant createdAt, JsonNode payload,
        Optional<Instant> notBefore, Optional<Instant> notAfter) {

    public JobEnvelope {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
    }

    /** A job to run as soon as it is read, with no deadline. */
    public JobEnvelope(String jobId, JobType type, String accountId, Instant createdAt, JsonNode payload) {
        this(jobId, type, accountId, createdAt, payload, Optional.empty(), Optional.empty());
    }

    /** A payload text field, or the default the schema documents. */
    public String text(String field, String fallback) {
        JsonNode value = payload.get(field);
        return value == null || value.isNull() ? fallback : value.asText();
    }

    public int integer(String field, int fallback) {
        JsonNode value = payload.get(field);
        return value == null || value.isNull() ? fallback : value.asInt();
    }
}
