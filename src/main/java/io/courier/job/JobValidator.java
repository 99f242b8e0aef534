package io.courier.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a record against the published JSON Schema (schemas/job.schema.json, also served at
 * /schemas/job.schema.json), so producers in any language and the worker apply the very same rules.
 * Never throws on bad input: every problem becomes an {@link Validation.Invalid} naming the field.
 */
public final class JobValidator {

    /** Where the schema lives on the classpath; Quarkus serves META-INF/resources over HTTP. */
    public static final String SCHEMA_RESOURCE = "META-INF/resources/schemas/job.schema.json";
    private static final int MAX_REASONS = 3;

    private final ObjectMapper json;
    private final JsonSchema schema;
    private final int maxRecordBytes;

    public JobValidator(ObjectMapper json, int maxRecordBytes) {
        this.json = json;
        this.maxRecordBytes = maxRecordBytes;
        this.schema = loadSchema();
    }

    public Validation validate(byte[] value) {
        if (value == null || value.length == 0) {
            return invalid("value: the record is empty; expected a job envelope (JSON object)", null);
        }
        if (value.length > maxRecordBytes) {
            return invalid("value: the record is " + value.length + " bytes, over the " + maxRecordBytes + "-byte limit", null);
        }
        JsonNode tree;
        try {
            tree = json.readTree(value);
        } catch (JsonProcessingException e) {
            return invalid("value: not valid JSON (" + e.getOriginalMessage() + ")", null);
        } catch (IOException e) {
            return invalid("value: not readable as UTF-8 JSON (" + e.getClass().getSimpleName() + ")", null);
        }
        if (tree == null || !tree.isObject()) {
            return invalid("value: expected a JSON object, got " + (tree == null ? "nothing" : tree.getNodeType()), tree);
        }
        Set<ValidationMessage> problems = schema.validate(tree);
        if (!problems.isEmpty()) {
            return invalid(describe(problems), tree);
        }
        return new Validation.Valid(new JobEnvelope(tree.get("jobId").asText(),
                JobType.fromWireName(tree.get("type").asText()).orElseThrow(),
                tree.get("accountId").asText(), Instant.parse(tree.get("createdAt").asText()), tree.get("payload")));
    }

    /** The schema's own messages start with the JSON path of the field ("$.payload.author: ..."). */
    private static String describe(Set<ValidationMessage> problems) {
        String reasons = problems.stream()
                .sorted(Comparator.comparing((ValidationMessage m) -> m.getInstanceLocation().toString())
                        .thenComparing(ValidationMessage::getMessage))
                .map(ValidationMessage::getMessage)
                .distinct()
                .limit(MAX_REASONS)
                .collect(Collectors.joining("; "));
        return problems.size() > MAX_REASONS ? reasons + "; and " + (problems.size() - MAX_REASONS) + " more" : reasons;
    }

    private static Validation invalid(String message, JsonNode tree) {
        return new Validation.Invalid(message, field(tree, "jobId"), field(tree, "type"), field(tree, "accountId"));
    }

    /** What can be read of an invalid record, for headers; only short plain strings qualify. */
    private static Optional<String> field(JsonNode tree, String name) {
        if (tree == null || !tree.isObject()) {
            return Optional.empty();
        }
        JsonNode node = tree.get(name);
        return node != null && node.isTextual() && !node.asText().isEmpty() && node.asText().length() <= 128
                ? Optional.of(node.asText()) : Optional.empty();
    }

    private static JsonSchema loadSchema() {
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        try (InputStream in = JobValidator.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing " + SCHEMA_RESOURCE + " on the classpath");
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
