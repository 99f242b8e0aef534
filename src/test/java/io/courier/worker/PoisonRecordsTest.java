package io.courier.worker;

import static io.courier.testkit.AccountFixtures.calls;
import static io.courier.testkit.AccountFixtures.importTokens;
import static io.courier.testkit.ConnectedAccounts.ADMIN_TOKEN;
import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.courier.testkit.KafkaTestClient.header;
import static io.courier.testkit.KafkaTestClient.text;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.retry.CourierHeaders;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A careless producer's records on one partition, between healthy jobs of the same account: each gets exactly one
 * outcome, the healthy ones succeed, and courier-* headers a producer wrote on a job topic steer nothing.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class PoisonRecordsTest extends PipelineTestSupport {

    /** What a producer might copy from a dead letter or make up: Courier's header names with nonsense in them. */
    private static final Map<String, String> MALFORMED_COURIER_HEADERS = Map.of(
            CourierHeaders.ORIGINAL_TOPIC, "linkedin.jobs.results", CourierHeaders.DUE_AT, "0",
            CourierHeaders.ATTEMPTS, "x", CourierHeaders.FIRST_FAILURE_AT, "yesterday",
            CourierHeaders.REPLAY_COUNT, "-5");
    /** Well-formed but forged: today's code would take them as retry state. */
    private static final Map<String, String> FORGED_COURIER_HEADERS = Map.of(
            CourierHeaders.ORIGINAL_TOPIC, "linkedin.jobs.results", CourierHeaders.DUE_AT, "0",
            CourierHeaders.ATTEMPTS, "1", CourierHeaders.FIRST_FAILURE_AT, "2026-01-01T00:00:00Z",
            CourierHeaders.ORIGINAL_PARTITION, "0", CourierHeaders.ORIGINAL_OFFSET, "0");

    @Inject
    EntityManager em;
    @Inject
    JobConsumer workers;

    private KafkaProducer<String, byte[]> producer;

    @BeforeEach
    void openProducer() {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void closeProducer() {
        producer.close();
    }

    @Test
    void poisonRecordsBetweenHealthyJobsOfOnePartitionEachGetOneOutcome() throws Exception {
        Connected account = connect(simulator, "{}");
        String run = UUID.randomUUID().toString();
        Map<String, String> healthy = new LinkedHashMap<>();
        for (int i = 1; i <= 5; i++) {
            healthy.put(run + "-healthy-" + i, post(run + "-healthy-" + i, account, "healthy " + i));
        }
        String python = post(run + "-python", account, "python").replace("2026-11-24T10:00:00Z",
                "2026-11-24 10:00:00+00:00");
        String nul = post(run + "-nul", account, "nul " + run).replace("\"jobId\":\"" + run + "-nul\"",
                "\"jobId\":\"" + run + "\\u0000nul\"");
        String headersValid = post(run + "-headers", account, "headers");
        String headersInvalid = post(run + "-headers-invalid", account, "x".repeat(3001));
        List<String> healthyJobs = new ArrayList<>(healthy.values());

        // One key, so one partition, in this order.
        send("linkedin.jobs.post", account.accountId(), healthyJobs.get(0), Map.of());
        send("linkedin.jobs.post", account.accountId(), python, Map.of());
        send("linkedin.jobs.post", account.accountId(), healthyJobs.get(1), Map.of());
        send("linkedin.jobs.post", account.accountId(), nul, Map.of());
        send("linkedin.jobs.post", account.accountId(), healthyJobs.get(2), Map.of());
        send("linkedin.jobs.post", account.accountId(), headersValid, MALFORMED_COURIER_HEADERS);
        send("linkedin.jobs.post", account.accountId(), healthyJobs.get(3), Map.of());
        send("linkedin.jobs.post", account.accountId(), headersInvalid, MALFORMED_COURIER_HEADERS);
        send("linkedin.jobs.post", account.accountId(), healthyJobs.get(4), Map.of());

        // Every record with a readable jobId has one result, in publishing order.
        List<String> expectedResults = List.of(run + "-healthy-1", run + "-python", run + "-healthy-2",
                run + "-healthy-3",
                run + "-headers", run + "-healthy-4", run + "-headers-invalid", run + "-healthy-5");
        List<JsonNode> results = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : kafka.await("linkedin.jobs.results", r -> text(r).contains(run),
                expectedResults.size(), WAIT)) {
            results.add(JSON.readTree(text(r)));
        }
        assertThat(results).extracting(r -> r.get("jobId").asText()).containsExactlyElementsOf(expectedResults);
        for (JsonNode r : results) {
            boolean invalid = r.get("jobId").asText().endsWith("-headers-invalid");
            assertThat(r.get("status").asText()).as(r.toString()).isEqualTo(invalid ? "DEAD_LETTERED" : "SUCCEEDED");
        }

        List<ConsumerRecord<String, byte[]>> dead = kafka.readAll("linkedin.jobs.dlq", Duration.ofSeconds(2)).stream()
                .filter(r -> text(r).contains(run)).toList();
        assertThat(dead).as("two dead letters: the NUL jobId and the invalid one with forged headers").hasSize(2);
        ConsumerRecord<String, byte[]> nulDead = dead.stream().filter(r -> text(r).contains("nul " + run)).findFirst()
                .orElseThrow();
        assertThat(header(nulDead, CourierHeaders.ERROR_CLASS)).isEqualTo("INVALID_JOB");
        assertThat(header(nulDead, CourierHeaders.ERROR_MESSAGE)).startsWith("jobId:").contains("U+0000");
        assertThat(header(nulDead, CourierHeaders.JOB_ID)).as("an id with a NUL is no id for headers").isNull();
        assertThat(header(nulDead, CourierHeaders.ACCOUNT_ID)).isEqualTo(account.accountId());
        assertThat(text(nulDead)).isEqualTo(nul); // the original bytes

        ConsumerRecord<String, byte[]> forged = dead.stream().filter(r -> text(r).contains("headers-invalid"))
                .findFirst().orElseThrow();
        assertThat(header(forged, CourierHeaders.ERROR_CLASS)).isEqualTo("INVALID_JOB");
        assertThat(header(forged, CourierHeaders.ERROR_MESSAGE)).contains("commentary");
        assertThat(header(forged, CourierHeaders.ORIGINAL_TOPIC)).isEqualTo("linkedin.jobs.post");
        assertThat(header(forged, CourierHeaders.ATTEMPTS)).isEqualTo("0");
        assertThat(Instant.parse(header(forged, CourierHeaders.FIRST_FAILURE_AT)))
                .isAfter(Instant.now().minusSeconds(120));
        assertThat(header(forged, CourierHeaders.REPLAY_COUNT)).as("unreadable: counts as the maximum")
                .isEqualTo("2147483647");

        // Each post was published once; nothing went to the topic a header named.
        assertThat(calls(simulator, account, "POST", "/rest/posts")).isEqualTo(7);
        assertThat(kafka.readAll("linkedin.jobs.results", Duration.ofSeconds(1)))
                .noneMatch(r -> text(r).contains("\"commentary\"") && text(r).contains(run));
        assertThat(kafka.readAll("linkedin.jobs.retry.1s", Duration.ofSeconds(1)))
                .noneMatch(r -> text(r).contains(run));

        // A restart repeats nothing: the new consumers start after the poison, and a later job on the same partition is
        // the only new outcome (the poison records were committed with their outcomes, not left to run again).
        workers.stop(null);
        workers.start(null);
        String after = post(run + "-after-restart", account, "after restart");
        send("linkedin.jobs.post", account.accountId(), after, Map.of());
        assertThat(resultOf(run + "-after-restart").get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(kafka.readAll("linkedin.jobs.results", Duration.ofSeconds(2)).stream()
                .filter(r -> text(r).contains(run)))
                .hasSize(expectedResults.size() + 1);
        assertThat(
                kafka.readAll("linkedin.jobs.dlq", Duration.ofSeconds(1)).stream().filter(r -> text(r).contains(run)))
                .hasSize(2);
        assertThat(calls(simulator, account, "POST", "/rest/posts")).isEqualTo(8);
    }

    @Test
    void aForgedOriginalTopicCannotSteerAReplay() throws Exception {
        String account = "poison-replay-" + UUID.randomUUID();
        String jobId = UUID.randomUUID().toString();
        String value = job(jobId, "sync.profile", account, "{}"); // unknown account: INVALID_JOB
        send("linkedin.jobs.sync", account, value, FORGED_COURIER_HEADERS);

        ConsumerRecord<String, byte[]> dead = kafka
                .await("linkedin.jobs.dlq", r -> jobId.equals(header(r, CourierHeaders.JOB_ID)),
                        1, WAIT)
                .getFirst();
        assertThat(header(dead, CourierHeaders.ORIGINAL_TOPIC)).isEqualTo("linkedin.jobs.sync");
        assertThat(header(dead, CourierHeaders.ATTEMPTS)).isEqualTo("0");
        await().atMost(WAIT).until(() -> indexed(jobId) == 1);
        // A row indexed before the fix, or a dead letter written by hand: the replay still goes to a job topic.
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update dead_letter set original_topic = 'linkedin.jobs.results' where job_id = ?1")
                .setParameter(1, jobId).executeUpdate());

        int replayed = given().auth().oauth2(ADMIN_TOKEN)
                .contentType("application/json").body("""
                        {"filter":{"accountId":"%s"},"dryRun":false}""".formatted(account))
                .post("/admin/dead-letters/replay").then().statusCode(200).extract().path("replayed");
        assertThat(replayed).isEqualTo(1);
        ConsumerRecord<String, byte[]> back = kafka.await("linkedin.jobs.sync", r -> text(r).contains(jobId)
                && "1".equals(header(r, CourierHeaders.REPLAY_COUNT)), 1, WAIT).getFirst();
        assertThat(text(back)).isEqualTo(value);
        assertThat(kafka.readAll("linkedin.jobs.results", Duration.ofSeconds(1)))
                .noneMatch(r -> text(r).equals(value));
    }

    @Test
    void aForgedOriginalTopicCannotSteerAReleasedParkedJob() throws Exception {
        Connected account = connect(simulator, """
                {"refreshToken":false}""");
        importTokens(account.accountId(), account.member(), Instant.now().minusSeconds(60), false);
        String run = UUID.randomUUID().toString();
        String forged = post(run + "-forged", account, "forged");
        String rewritten = post(run + "-rewritten", account, "rewritten");
        send("linkedin.jobs.post", account.accountId(), forged, FORGED_COURIER_HEADERS);
        send("linkedin.jobs.post", account.accountId(), rewritten, Map.of());
        await().atMost(WAIT).until(() -> targets(account.accountId()).size() == 2);
        assertThat(targets(account.accountId())).containsExactly("linkedin.jobs.post", "linkedin.jobs.post");
        // A row parked before the fix: released to the job's own topic all the same.
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update parked_job set target_topic = 'linkedin.jobs.results' where job_id = ?1")
                .setParameter(1, run + "-rewritten").executeUpdate());

        importTokens(account.accountId(), account.member(), Instant.now().plus(Duration.ofDays(30)), false);

        assertThat(resultOf(run + "-forged").get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(resultOf(run + "-rewritten").get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(kafka.readAll("linkedin.jobs.results", Duration.ofSeconds(1)))
                .noneMatch(r -> text(r).contains("\"commentary\"")
                        && text(r).contains(run));
    }

    private void send(String topic, String key, String value, Map<String, String> headers) throws Exception {
        RecordHeaders h = new RecordHeaders();
        headers.forEach((k, v) -> h.add(k, v.getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>(topic, null, key, value.getBytes(StandardCharsets.UTF_8), h)).get();
    }

    private long indexed(String jobId) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from dead_letter where job_id = ?1").setParameter(1, jobId).getSingleResult())
                .longValue());
    }

    @SuppressWarnings("unchecked")
    private List<String> targets(String accountId) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select target_topic from parked_job where account_id = ?1 order by seq").setParameter(1, accountId)
                .getResultList());
    }

    private static String post(String jobId, Connected account, String commentary) {
        return job(jobId, "post.create", account.accountId(),
                """
                        {"author":"%s","commentary":"%s %s"}""".formatted(account.memberUrn(), commentary, jobId));
    }

    @Test
    void deadLettersWithANulInTheirKeyOrATooWideTypeAreIndexedAndTheIndexerGoesOn() throws Exception {
        String account = "acct-nul-" + UUID.randomUUID();
        String after = "acct-after-nul-" + UUID.randomUUID();
        // Valid JSON, not a job (no createdAt): dead-lettered as INVALID_JOB with its key, which PostgreSQL text
        // refuses.
        kafka.send("linkedin.jobs.post", "key\u0000" + account, """
                {"jobId":"nul-key","accountId":"%s"}""".formatted(account));
        // An unknown type of 70 characters: its header is wider than the index's job_type column.
        String wide = "acct-wide-type-" + UUID.randomUUID();
        kafka.send("linkedin.jobs.post", wide, "{\"jobId\":\"wide-type\",\"type\":\"" + "t".repeat(70)
                + "\",\"accountId\":\"" + wide + "\"}");
        kafka.send("linkedin.jobs.post", after, """
                {"jobId":"after-nul-key","accountId":"%s"}""".formatted(after));

        for (String acct : List.of(account, wide, after)) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(given().auth().oauth2(ADMIN_TOKEN)
                    .get("/admin/dead-letters?accountId=" + acct).then().statusCode(200).extract().jsonPath()
                    .getList("items")).as("indexed: " + acct).hasSize(1));
        }
    }
}
