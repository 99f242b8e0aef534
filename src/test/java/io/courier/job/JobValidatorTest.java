package io.courier.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
        assertThat(reasonOf(validator.validate(new byte[]{(byte) 0xff, (byte) 0xfe, 0x00}))).startsWith("value:");
    }

    @Test
    void rejectsRecordsOverTheSizeLimit() {
        byte[] big = post("x").put("jobId", "j").toString().replace("\"x\"", "\"" + "x".repeat(70_000) + "\"")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(reasonOf(validator.validate(big))).contains("bytes");
    }
}
