package io.courier.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.util.Base64;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Kafka headers kept in a PostgreSQL text column (parked jobs, indexed dead letters): a JSON array of
 * {"key", "value" (base64)}, in order, byte for byte, duplicates kept.
 */
public final class StoredHeaders {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StoredHeaders() {
    }

    public static String toJson(Headers headers) {
        ArrayNode out = JSON.createArrayNode();
        for (Header h : headers) {
            out.addObject().put("key", h.key()).put("value", h.value() == null ? null : Base64.getEncoder().encodeToString(h.value()));
        }
        return out.toString();
    }

    public static Headers fromJson(String stored) {
        Headers headers = new RecordHeaders();
        try {
            for (JsonNode h : JSON.readTree(stored)) {
                headers.add(h.get("key").asText(), h.get("value").isNull() ? null : Base64.getDecoder().decode(h.get("value").asText()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable stored headers", e);
        }
        return headers;
    }
}
