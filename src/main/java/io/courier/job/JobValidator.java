package io.courier.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonMetaSchema;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a record against the published JSON Schema (schemas/job.schema.json, also served at
 * /schemas/job.schema.json), so producers in any language and the worker apply the very same rules.
 * Never throws, whatever the bytes: every problem becomes an {@link Validation.Invalid} naming the field, and so
 * does an unexpected exception (naming what failed). Instants are read by {@link Rfc3339}, which the schema's
 * date-time format uses too.
 */
public class JobValidator {

    /** Where the schema lives on the classpath; Quarkus serves META-INF/resources over HTTP. */
    public static final String SCHEMA_RESOURCE = "META-INF/resources/schemas/job.schema.json";
    private static final int MAX_REASONS = 3;
    /** Top-level strings that identify something; the schema refuses control characters there too ("not", enum). */
    private static final List<String> ID_FIELDS = List.of("jobId", "accountId", "type");
    /** Payload strings that identify something (URNs); free text such as commentary is not among them. */
    private static final List<String> PAYLOAD_ID_FIELDS = List.of("author", "organization", "post", "postJobId",
            "actor", "parentComment");

    private final ObjectMapper json;
    private final JsonSchema schema;
    private final int maxRecordBytes;

    public JobValidator(ObjectMapper json, int maxRecordBytes) {
        this.json = json;
        this.maxRecordBytes = maxRecordBytes;
        this.schema = loadSchema();
    }

    /** The verdict on a record's value. Never throws: whatever the bytes, the record gets an outcome. */
    public Validation validate(byte[] value) {
        JsonNode tree = null;
        try {
            if (value == null || value.length == 0) {
                return invalid("value: the record is empty; expected a job envelope (JSON object)", null);
            }
            if (value.length > maxRecordBytes) {
                return invalid(
                        "value: the record is " + value.length + " bytes, over the " + maxRecordBytes + "-byte limit",
                        null);
            }
            try {
                tree = json.readTree(value);
            } catch (JsonProcessingException e) {
                return invalid("value: not valid JSON (" + e.getOriginalMessage() + ")", null);
            } catch (IOException e) {
                return invalid("value: not readable as UTF-8 JSON (" + e.getClass().getSimpleName() + ")", null);
            }
            if (tree == null || !tree.isObject()) {
                return invalid("value: expected a JSON object, got " + (tree == null ? "nothing" : tree.getNodeType()),
                        tree);
            }
            Optional<String> unprintable = controlCharacterIn(tree);
            if (unprintable.isPresent()) {
                return invalid(unprintable.get(), tree);
            }
            Set<ValidationMessage> problems = schema.validate(tree);
            if (!problems.isEmpty()) {
                return invalid(describe(problems), tree);
            }
            if (Validation.Cancel.TYPE.equals(tree.get("type").asText())) {
                return new Validation.Cancel(tree.get("accountId").asText(), tree.get("jobId").asText(),
                        instant(tree, "createdAt").orElseThrow());
            }
            JobEnvelope job = envelope(tree);
            if (job.notBefore().isPresent() && job.notAfter().isPresent()
                    && !job.notAfter().get().isAfter(job.notBefore().get())) {
                return invalid("notAfter: " + job.notAfter().get() + " is not after notBefore ("
                        + job.notBefore().get() + "): the job could never run", tree);
            }
            return new Validation.Valid(job);
        } catch (RuntimeException e) {
            // Our bug or a library's must not become an exception the worker retries forever: an outcome instead.
            return invalid("value: validation failed (" + e.getClass().getSimpleName() + ": "
                    + cut(String.valueOf(e.getMessage())) + ")", tree);
        }
    }

    /** A tree the schema accepted, as an envelope. Overridable for testing only. */
    JobEnvelope envelope(JsonNode tree) {
        Instant createdAt = Rfc3339.parse(tree.get("createdAt").asText())
                .orElseThrow(() -> new IllegalStateException("createdAt passed the schema but not Rfc3339.parse"));
        return new JobEnvelope(tree.get("jobId").asText(),
                JobType.fromWireName(tree.get("type").asText()).orElseThrow(),
                tree.get("accountId").asText(), createdAt, tree.get("payload"), instant(tree, "notBefore"),
                instant(tree, "notAfter"));
    }

    private static Optional<Instant> instant(JsonNode tree, String field) {
        JsonNode value = tree.get(field);
        return value == null || value.isNull()
                ? Optional.empty()
                : Optional.of(Rfc3339.parse(value.asText()).orElseThrow(
                        () -> new IllegalStateException(field + " passed the schema but not Rfc3339.parse")));
    }

    // visible for testing: the schema's own verdict, to compare with Rfc3339.parse
    boolean schemaAccepts(JsonNode tree) {
        return schema.validate(tree).isEmpty();
    }

    /**
     * Ids travel into Kafka headers, log lines and PostgreSQL (which refuses U+0000 in text): a control character
     * there is refused with the field's name, before the schema (whose "not" pattern says the same to producers).
     * Free text (commentary) may hold newlines and tabs.
     */
    private static Optional<String> controlCharacterIn(JsonNode tree) {
        for (String field : ID_FIELDS) {
            Optional<String> problem = controlCharacterIn(tree.get(field), field);
            if (problem.isPresent()) {
                return problem;
            }
        }
        JsonNode payload = tree.get("payload");
        if (payload != null && payload.isObject()) {
            for (String field : PAYLOAD_ID_FIELDS) {
                Optional<String> problem = controlCharacterIn(payload.get(field), "payload." + field);
                if (problem.isPresent()) {
                    return problem;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> controlCharacterIn(JsonNode node, String field) {
        if (node == null || !node.isTextual()) {
            return Optional.empty();
        }
        int at = firstControlCharacter(node.asText());
        return at < 0
                ? Optional.empty()
                : Optional.of(String.format("%s: contains the control character U+%04X at index %d;"
                        + " ids must be printable", field, (int) node.asText().charAt(at), at));
    }

    private static int firstControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return i;
            }
        }
        return -1;
    }

    private static String cut(String message) {
        return message.length() <= 300 ? message : message.substring(0, 299) + "…";
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
                && firstControlCharacter(node.asText()) < 0 ? Optional.of(node.asText()) : Optional.empty();
    }

    private static JsonSchema loadSchema() {
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        try (InputStream in = JobValidator.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing " + SCHEMA_RESOURCE + " on the classpath");
            }
            // The date-time format is Rfc3339's, the parser the envelope uses: the two cannot disagree.
            JsonMetaSchema meta = JsonMetaSchema.builder(JsonMetaSchema.getV202012()).format(Rfc3339.FORMAT).build();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, b -> b.metaSchema(meta)).getSchema(in,
                    config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
