package io.courier.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/** A validated job (CONTRACT §3). Only JobValidator makes these, so holding one means the job passed the schema. */
public record JobEnvelope(String jobId, JobType type, String accountId, Instant createdAt, JsonNode payload) {

    public JobEnvelope {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(payload, "payload");
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
