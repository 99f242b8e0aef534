package io.courier.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JobValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final JobValidator validator = new JobValidator(JSON, 64 * 1024);

    private static ObjectNode post(String commentary) {
        ObjectNode job = JSON.createObjectNode()
                .put("jobId", "job-1").put("type", "post.create").put("accountId", "acct-42")
                .put("createdAt", "2026-11-24T10:00:00Z");
        job.putObject("payload").put("author", "urn:li:person:782bbtaQ").put("commentary", commentary)
                .put("visibility", "PUBLIC");
        return job;
    }

    private Validation validate(ObjectNode job) {
        return validator.validate(job.toString().getBytes(StandardCharsets.UTF_8));
    }

    private String reasonOf(Validation v) {
        assertThat(v).isInstanceOf(Validation.Invalid.class);
        return ((Validation.Invalid) v).message();
    }

    @Test
    void acceptsTheContractsExamplePost() {
        Validation v = validate(post("Hello"));
        assertThat(v).isInstanceOf(Validation.Valid.class);
        JobEnvelope job = ((Validation.Valid) v).job();
        assertThat(job.type()).isEqualTo(JobType.POST_CREATE);
        assertThat(job.accountId()).isEqualTo("acct-42");
        assertThat(job.text("commentary", null)).isEqualTo("Hello");
    }

    private static ObjectNode cancel() {
        return JSON.createObjectNode().put("type", "job.cancel").put("accountId", "acct-42").put("jobId", "job-1")
                .put("createdAt", "2026-11-24T10:05:00Z");
    }

    @Test
    void aCancelIsAControlMessageNotAJob() {
        Validation v = validate(cancel());
        assertThat(v).isEqualTo(new Validation.Cancel("acct-42", "job-1", Instant.parse("2026-11-24T10:05:00Z")));
    }

    @Test
    void aCancelCarriesNoPayloadAndNoScheduleAndNamesItsJob() {
        ObjectNode withPayload = cancel();
        withPayload.putObject("payload");
        assertThat(reasonOf(validate(withPayload))).contains("payload");
        assertThat(reasonOf(validate(cancel().put("notBefore", "2026-11-24T11:00:00Z")))).contains("notBefore");
        ObjectNode noJob = cancel();
        noJob.remove("jobId");
        assertThat(reasonOf(validate(noJob))).contains("jobId");
        ObjectNode noTime = cancel();
        noTime.remove("createdAt");
        assertThat(reasonOf(validate(noTime))).contains("createdAt");
    }

    @Test
    void aJobStillNeedsItsPayload() {
        ObjectNode job = post("x");
        job.remove("payload");
        assertThat(reasonOf(validate(job))).contains("payload");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "sync.profile         | {}",
            "sync.posts           | {\"author\":\"urn:li:organization:123\",\"pageSize\":20}",
            "sync.org-share-stats | {\"organization\":\"urn:li:organization:123\"}",
            "sync.org-acls        | {\"role\":\"ADMINISTRATOR\"}"})
    void acceptsEachSyncType(String type, String payload) throws Exception {
        ObjectNode job = post("x");
        job.put("type", type).set("payload", JSON.readTree(payload));
        assertThat(validate(job)).isInstanceOf(Validation.Valid.class);
    }

    @Test
    void rejectsCommentaryOver3000CharactersNamingTheField() {
        assertThat(validate(post("a".repeat(3000)))).isInstanceOf(Validation.Valid.class);
        assertThat(reasonOf(validate(post("a".repeat(3001))))).contains("commentary").containsAnyOf("3000", "3,000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jobId", "type", "accountId", "createdAt", "payload"})
    void rejectsAMissingEnvelopeFieldNamingIt(String field) {
        ObjectNode job = post("Hello");
        job.remove(field);
        assertThat(reasonOf(validate(job))).contains(field);
    }

    @Test
    void rejectsAMissingPayloadFieldNamingIt() {
        ObjectNode job = post("Hello");
        ((ObjectNode) job.get("payload")).remove("author");
        assertThat(reasonOf(validate(job))).contains("author");
    }

    @Test
    void rejectsAnOversizedJobId() {
        assertThat(validate(post("x").put("jobId", "j".repeat(128)))).isInstanceOf(Validation.Valid.class);
        assertThat(reasonOf(validate(post("x").put("jobId", "j".repeat(129))))).contains("jobId").contains("128");
    }

    @Test
    void rejectsAnUnknownTypeNamingIt() {
        Validation v = validate(post("x").put("type", "post.delete"));
        assertThat(reasonOf(v)).contains("type");
        assertThat(((Validation.Invalid) v).jobId()).contains("job-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"urn:li:share:123", "urn:li:person:", "person:782bbtaQ", "urn:li:organization:abc",
            "urn:li:person:has space"})
    void rejectsAMalformedAuthorUrn(String urn) {
        ObjectNode job = post("x");
        ((ObjectNode) job.get("payload")).put("author", urn);
        assertThat(reasonOf(validate(job))).contains("author");
    }

    @Test
    void rejectsAnUrnOver255Characters() {
        ObjectNode job = post("x");
        ((ObjectNode) job.get("payload")).put("author", "urn:li:person:" + "a".repeat(242));
        assertThat(reasonOf(validate(job))).contains("author");
    }

    @Test
    void rejectsACreatedAtThatIsNotAnInstant() {
        assertThat(reasonOf(validate(post("x").put("createdAt", "yesterday")))).contains("createdAt");
    }

    @Test
    void rejectsUnknownPayloadFields() {
        ObjectNode job = post("x");
        ((ObjectNode) job.get("payload")).put("comentary", "typo");
        assertThat(reasonOf(validate(job))).contains("comentary");
    }

    @Test
    void rejectsRecordsThatAreNotJsonObjects() {
        assertThat(reasonOf(validator.validate("not json at all".getBytes(StandardCharsets.UTF_8))))
                .startsWith("value: not valid JSON");
        assertThat(reasonOf(validator.validate("[1,2]".getBytes(StandardCharsets.UTF_8)))).contains("JSON object");
        assertThat(reasonOf(validator.validate(new byte[0]))).contains("empty");
        assertThat(reasonOf(validator.validate(null))).contains("empty");
        assertThat(reasonOf(validator.validate(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00}))).startsWith("value:");
    }

    @Test
    void rejectsRecordsOverTheSizeLimit() {
        byte[] big = post("x").put("jobId", "j").toString().replace("\"x\"", "\"" + "x".repeat(70_000) + "\"")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(reasonOf(validator.validate(big))).contains("bytes");
    }

    // --- createdAt: one parser, and the schema agrees with it -------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "2026-11-24T10:00:00Z             | 2026-11-24T10:00:00Z",
            "2026-11-24 10:00:00+00:00        | 2026-11-24T10:00:00Z",       // Python's str(datetime)
            "2026-11-24 10:00:00.123456+00:00 | 2026-11-24T10:00:00.123456Z",
            "2026-11-24t10:00:00z             | 2026-11-24T10:00:00Z",
            "2026-11-24T12:30:00+02:30        | 2026-11-24T10:00:00Z",
            "2026-11-24T05:00:00-05:00        | 2026-11-24T10:00:00Z",
            "2026-11-24T10:00:00-00:00        | 2026-11-24T10:00:00Z",
            "2026-11-24T10:00:00.5Z           | 2026-11-24T10:00:00.500Z",
            "2026-11-24T10:00:00.123456789Z   | 2026-11-24T10:00:00.123456789Z",
            "2028-02-29T10:00:00Z             | 2028-02-29T10:00:00Z",
            "2016-12-31T23:59:60Z             | 2016-12-31T23:59:59Z"})
    void acceptsRfc3339VariantsAndNormalisesThemToOneInstant(String written, String instant) {
        Validation v = validate(post("x").put("createdAt", written));
        assertThat(v).isInstanceOf(Validation.Valid.class);
        assertThat(((Validation.Valid) v).job().createdAt()).isEqualTo(Instant.parse(instant));
    }

    /** Odd timestamps producers write; each must get the same verdict from the schema and from the parser. */
    static Stream<String> oddTimestamps() {
        return Stream.of("2026-11-24 10:00:00", "2026-11-24T10:00:00", "2026-11-24", "10:00:00Z",
                "2026-11-24T10:00Z", "2026-13-01T10:00:00Z", "2026-02-29T10:00:00Z", "2026-11-31T10:00:00Z",
                "2026-02-30T10:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T10:60:00Z", "2026-11-24T10:00:61Z",
                "2026-11-24T10:00:00+24:00", "2026-11-24T10:00:00+0100", "2026-11-24T10:00:00+01",
                "2026-11-24T10:00:00.Z", "2026-11-24T10:00:00.1234567890Z", "2026-11-24  10:00:00Z",
                "2026-11-24\t10:00:00Z", "2026-11-24T10:00:00Z\n", " 2026-11-24T10:00:00Z", "+2026-11-24T10:00:00Z",
                "20261124T100000Z", "2026-11-24T1:00:00Z", "2026-11-24T10:00:00UTC", "2026-11-24T10:00:00Z[UTC]",
                "２０２６-11-24T10:00:00Z", "2026-11-24T10:00:00\u0000Z", "yesterday", "",
                "2026-11-24T10:00:00Z", "2026-11-24 10:00:00+00:00", "2026-11-24T10:00:00z",
                "2026-11-24T10:00:00+23:59", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2016-12-31T23:59:60Z");
    }

    @ParameterizedTest
    @MethodSource("oddTimestamps")
    void theSchemaAndTheParserGiveTheSameVerdict(String written) {
        boolean schemaAccepts = validator.schemaAccepts(post("x").put("createdAt", written));
        Optional<Instant> parsed = Rfc3339.parse(written);
        assertThat(parsed.isPresent()).as("parser on '%s' agrees with the schema", written).isEqualTo(schemaAccepts);
        Validation v = validate(post("x").put("createdAt", written));
        if (v instanceof Validation.Valid valid) {
            assertThat(valid.job().createdAt()).isEqualTo(parsed.orElseThrow());
        } else {
            assertThat(parsed).isEmpty();
            assertThat(reasonOf(v)).contains("createdAt");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-24 10:00:00", "2026-13-01T10:00:00Z", "2026-02-29T10:00:00Z",
            "2026-11-24T10:00:00+0100", "2026-11-24T10:00:00Z\n", "yesterday"})
    void refusesWhatIsNotAnRfc3339DateTimeNamingCreatedAt(String written) {
        assertThat(reasonOf(validate(post("x").put("createdAt", written)))).contains("createdAt");
    }

    // --- ids: no control characters ---------------------------------------------------------------------------

    static Stream<Arguments> controlCharactersInIds() {
        return Stream.of(Arguments.of("jobId", "job\u00001"), Arguments.of("jobId", "job-1\n"),
                Arguments.of("jobId", "\u007f"), Arguments.of("jobId", "\u001b[31mred"),
                Arguments.of("accountId", "acct-42\n"), Arguments.of("accountId", "acct\u0000-42"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("controlCharactersInIds")
    void refusesControlCharactersInIdsNamingTheField(String field, String value) {
        Validation v = validate(post("x").put(field, value));
        assertThat(reasonOf(v)).startsWith(field + ":").contains("control character");
        Validation.Invalid invalid = (Validation.Invalid) v;
        // What is kept of an invalid record goes into headers and PostgreSQL: never a control character.
        assertThat(invalid.jobId().orElse("")).doesNotContainPattern("[\\x00-\\x1f\\x7f]");
        assertThat(invalid.accountId().orElse("")).doesNotContainPattern("[\\x00-\\x1f\\x7f]");
    }

    @Test
    void refusesControlCharactersInPayloadUrnsNamingTheField() {
        ObjectNode post = post("x");
        ((ObjectNode) post.get("payload")).put("author", "urn:li:person:782bbtaQ\n");
        assertThat(reasonOf(validate(post))).contains("author").contains("control character");
        ObjectNode stats = post("x").put("type", "sync.org-share-stats");
        stats.putObject("payload").put("organization", "urn:li:organization:123\n");
        assertThat(reasonOf(validate(stats))).contains("organization").contains("control character");
    }

    @Test
    void keepsNewlinesAndTabsInCommentary() {
        assertThat(validate(post("line one\nline two\ttabbed"))).isInstanceOf(Validation.Valid.class);
    }

    // --- never throws -------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            """
                    {"jobId":1,"type":"post.create","accountId":"a","createdAt":"2026-11-24T10:00:00Z","payload":{}}""",
            """
                    {"jobId":"j","type":[],"accountId":{},"createdAt":5,"payload":"p"}""",
            """
                    {"jobId":null,"type":null,"accountId":null,"createdAt":null,"payload":null}""",
            """
                    {"jobId":"\\ud800","type":"sync.profile","accountId":"a","createdAt":"2026-11-24T10:00:00Z",\
                    "payload":{}}""",
            """
                    {"jobId":"j","type":"sync.posts","accountId":"a","createdAt":"2026-11-24T10:00:00Z",\
                    "payload":{"author":"urn:li:person:x","pageSize":1e400}}""",
            """
                    {"jobId":"j","type":"sync.posts","accountId":"a","createdAt":"2026-11-24T10:00:00Z",\
                    "payload":{"author":"urn:li:person:x","pageSize":99999999999999999999999}}""",
            """
                    {"jobId":"j","jobId":"k"}""", "\"just a string\"", "null", "{}", "{\"a\":", "\u0000"})
    void neverThrowsWhateverTheJsonHolds(String value) {
        assertThat(validator.validate(value.getBytes(StandardCharsets.UTF_8))).isNotNull();
    }

    @Test
    void neverThrowsOnDeeplyNestedJson() {
        String deep = "{\"jobId\":\"j\",\"type\":\"sync.profile\",\"accountId\":\"a\",\"createdAt\":\"2026-11-24T10:00:00Z\","
                + "\"payload\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertThat(reasonOf(validator.validate(deep.getBytes(StandardCharsets.UTF_8)))).startsWith("value:");
    }

    @Test
    void anUnexpectedExceptionInsideValidationBecomesInvalidNamingWhatFailed() {
        JobValidator broken = new JobValidator(JSON, 64 * 1024) {
            @Override
            JobEnvelope envelope(JsonNode tree) {
                throw new IllegalStateException("boom");
            }
        };
        Validation v = broken.validate(post("x").toString().getBytes(StandardCharsets.UTF_8));
        assertThat(reasonOf(v)).contains("IllegalStateException").contains("boom");
        assertThat(((Validation.Invalid) v).jobId()).contains("job-1");
    }
}
