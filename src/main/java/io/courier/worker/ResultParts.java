package io.courier.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.job.ResultEvent;
import io.courier.platform.OutputTooLargeException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Splits a result event too large for one record into parts (README, "The result event"): every part is the event
 * with {@code part}, {@code parts} and {@code final} added after {@code accountId}, and under {@code data} the same
 * fields with only a slice of its list (the first array field: {@code posts}, {@code organizationAcls},
 * {@code elements}); the slices, in part order, are the whole list. Elements are packed greedily in order, so the
 * same event and limit always give the same parts: a re-emitted result (from job_outcome) is sent as the same parts.
 */
final class ResultParts {

    /** Widest part numbers and flag, so the overhead measured once holds for every part. */
    private static final int WIDEST_NUMBER = Integer.MAX_VALUE;

    private final ObjectMapper json;

    ResultParts(ObjectMapper json) {
        this.json = json;
    }

    /** The parts of the event, each at most {@code maxBytes} long as UTF-8 JSON. */
    List<byte[]> split(String resultJson, int maxBytes) {
        ObjectNode event = parse(resultJson);
        String jobId = event.path("jobId").asText("-");
        JsonNode data = event.get("data");
        String listField = data == null || !data.isObject() ? null : firstArrayField((ObjectNode) data);
        if (listField == null) {
            throw new OutputTooLargeException("the result of job " + jobId + " is over courier.kafka.max-request-size ("
                    + maxBytes + " bytes of value) and has no list under data to split");
        }
        ArrayNode elements = (ArrayNode) data.get(listField);
        int budget = maxBytes
                - bytes(part(event, listField, json.createArrayNode(), WIDEST_NUMBER, WIDEST_NUMBER, false)).length;
        if (budget <= 0) {
            throw new OutputTooLargeException("the result of job " + jobId + " is over courier.kafka.max-request-size ("
                    + maxBytes + " bytes of value) even without data." + listField);
        }
        List<ArrayNode> slices = new ArrayList<>();
        ArrayNode slice = json.createArrayNode();
        int used = 0;
        for (JsonNode element : elements) { // ends with the list: one pass, each element placed once
            int size = bytes(element).length + 1; // and its comma
            if (size > budget) {
                throw new OutputTooLargeException("the result of job " + jobId + " has an element of " + size
                        + " bytes under data." + listField
                        + ", more than a part can hold within courier.kafka.max-request-size");
            }
            if (used + size > budget) {
                slices.add(slice);
                slice = json.createArrayNode();
                used = 0;
            }
            slice.add(element);
            used += size;
        }
        slices.add(slice);
        List<byte[]> parts = new ArrayList<>(slices.size());
        for (int k = 1; k <= slices.size(); k++) {
            parts.add(bytes(part(event, listField, slices.get(k - 1), k, slices.size(), k == slices.size())));
        }
        return parts;
    }

    private ObjectNode part(ObjectNode event, String listField, ArrayNode slice, int k, int n, boolean last) {
        ObjectNode part = json.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> fields = event.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equals("data")) {
                ObjectNode data = json.createObjectNode();
                f.getValue().fields().forEachRemaining(
                        d -> data.set(d.getKey(), d.getKey().equals(listField) ? slice : d.getValue()));
                part.set("data", data);
            } else {
                part.set(f.getKey(), f.getValue());
            }
            if (f.getKey().equals("accountId")) {
                part.put(ResultEvent.PART, k).put(ResultEvent.PARTS, n).put(ResultEvent.FINAL, last);
            }
        }
        if (!part.has(ResultEvent.PART)) {
            part.put(ResultEvent.PART, k).put(ResultEvent.PARTS, n).put(ResultEvent.FINAL, last);
        }
        return part;
    }

    private static String firstArrayField(ObjectNode data) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = data.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getValue().isArray()) {
                return f.getKey();
            }
        }
        return null;
    }

    private ObjectNode parse(String resultJson) {
        try {
            return (ObjectNode) json.readTree(resultJson);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("a stored result event is not a JSON object", e);
        }
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a result event is not serializable", e);
        }
    }
}
