package io.courier.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Base64;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Kafka headers kept in a PostgreSQL text column (parked jobs, indexed dead letters): a JSON array of
 * {"key", "value" (base64)}, in order, byte for byte, duplicates kept.
 */
@ApplicationScoped
public class StoredHeaders {

    private final ObjectMapper json;

    StoredHeaders(ObjectMapper json) {
        this.json = json;
    }

    public String toJson(Headers headers) {
        ArrayNode out = json.createArrayNode();
        for (Header h : headers) {
            out.addObject().put("key", h.key()).put("value",
                    h.value() == null ? null : Base64.getEncoder().encodeToString(h.value()));
        }
        return out.toString();
    }

    public Headers fromJson(String stored) {
        Headers headers = new RecordHeaders();
        try {
            for (JsonNode h : json.readTree(stored)) {
                headers.add(h.get("key").asText(),
                        h.get("value").isNull() ? null : Base64.getDecoder().decode(h.get("value").asText()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable stored headers", e);
        }
        return headers;
    }
}
