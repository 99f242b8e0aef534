package io.courier.worker;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.courier.testkit.KafkaTestClient.header;
import static io.courier.testkit.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.retry.CourierHeaders;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Failures take the path their class's policy sets: delayed-retry tiers, an inline retry, or the DLQ. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class RetryFlowTest extends PipelineTestSupport {

    private String profileJob(Connected account) throws Exception {
        String job = job("sync.profile", account.accountId(), "{}");
        kafka.send("linkedin.jobs.sync", account.accountId(), job);
        return JSON.readTree(job).get("jobId").asText();
    }

    @Test
    void aThrottledJobWaitsInTheOneSecondTierThenSucceeds() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault("""
                {"method":"GET","path":"/v2/userinfo","status":429,"times":1}""");
        Instant published = Instant.now();
        String jobId = profileJob(account);

        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.get("attempts").asInt()).isEqualTo(2);
        assertThat(Duration.between(published, Instant.parse(result.get("finishedAt").asText())))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1));

        ConsumerRecord<String, byte[]> waiting = kafka.await("linkedin.jobs.retry.1s",
                r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1, WAIT).get(0);
        assertThat(waiting.key()).isEqualTo(account.accountId());
        assertThat(header(waiting, CourierHeaders.ERROR_CLASS)).isEqualTo("RATE_LIMITED");
        assertThat(header(waiting, CourierHeaders.ATTEMPTS)).isEqualTo("1");
        assertThat(header(waiting, CourierHeaders.ORIGINAL_TOPIC)).isEqualTo("linkedin.jobs.sync");
        assertThat(header(waiting, CourierHeaders.HTTP_STATUS)).isEqualTo("429");
        long dueAt = Long.parseLong(header(waiting, CourierHeaders.DUE_AT));
        long failedAt = Instant.parse(header(waiting, CourierHeaders.LAST_FAILURE_AT)).toEpochMilli();
        assertThat(dueAt - failedAt).as("1 s × 2⁰ + up to 500 ms jitter").isBetween(1000L, 1500L);
        assertThat(io.restassured.RestAssured.get("/q/metrics").asString())
                .containsPattern("courier_retries_total\\{class=\"RATE_LIMITED\",tier=\"1s\"} [1-9]");
    }

    @Test
    void throttledTwiceThenCreatedSucceedsAfterThreeCallsWithBackoffGaps() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault("""
                {"method":"POST","path":"/rest/posts","status":429,"times":2}""");
        String job = job("post.create", account.accountId(), """
                {"author":"%s","commentary":"after two 429s %s"}""".formatted(account.memberUrn(), UUID.randomUUID()));
        kafka.send("linkedin.jobs.post", account.accountId(), job);

        JsonNode result = resultOf(JSON.readTree(job).get("jobId").asText());
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.get("attempts").asInt()).isEqualTo(3);
        List<Instant> calls = new java.util.ArrayList<>();
        simulator.requests().forEach(r -> {
            if (r.get("path").asText().equals("/rest/posts") && r.get("method").asText().equals("POST")
                    && account.member().get("memberId").asText().equals(r.path("memberId").asText())) {
                calls.add(Instant.parse(r.get("at").asText()));
            }
        });
        assertThat(calls).hasSize(3);
        assertThat(Duration.between(calls.get(0), calls.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
        assertThat(Duration.between(calls.get(1), calls.get(2))).isGreaterThanOrEqualTo(Duration.ofMillis(2000));
    }

    /**
     * A missing LinkedIn-Version header is Courier's bug, not LinkedIn's sunset: that one job is dead-lettered. (An
     * inactive version, 426, closes the version for every pod: LinkedInVersionTest and VersionSunsetIT, which use
     * versions of their own so that the suite's version stays open.)
     */
    @Test
    void aMissingVersionIsDeadLetteredAtOnce() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault("""
                {"method":"GET","path":"/rest/organizationAcls","status":400,"times":1,"body":"{\\"status\\":400,\
                \\"code\\":\\"VERSION_MISSING\\",\\"message\\":\\"A version must be present.\\"}"}""");
        String job = job("sync.org-acls", account.accountId(), "{}");
        kafka.send("linkedin.jobs.sync", account.accountId(), job);
        String jobId = JSON.readTree(job).get("jobId").asText();

        ConsumerRecord<String, byte[]> dead = kafka.await("linkedin.jobs.dlq",
                r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1, WAIT).get(0);
        assertThat(header(dead, CourierHeaders.ERROR_CLASS)).isEqualTo("VERSION_UNSUPPORTED");
        assertThat(header(dead, CourierHeaders.HTTP_STATUS)).isEqualTo("400");
        assertThat(header(dead, CourierHeaders.LINKEDIN_CODE)).isEqualTo("VERSION_MISSING");
        assertThat(header(dead, CourierHeaders.ATTEMPTS)).isEqualTo("1");
    }

    @Test
    void aTimeoutIsANetworkFailureRetriedAtOnce() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault("""
                {"method":"GET","path":"/v2/userinfo","mode":"hang","latencyMs":4000,"times":1}""");
        String jobId = profileJob(account);

        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.get("attempts").asInt()).as("the hung call, then the inline retry").isEqualTo(2);
    }

    @Test
    void aLongerRetryAfterIsHonouredThroughTheTiers() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault("""
                {"method":"GET","path":"/v2/userinfo","status":429,"headers":{"Retry-After":"3"},"times":1}""");
        String jobId = profileJob(account);

        ConsumerRecord<String, byte[]> waiting = kafka.await("linkedin.jobs.retry.1s",
                r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1, WAIT).get(0);
        long dueAt = Long.parseLong(header(waiting, CourierHeaders.DUE_AT));
        long failedAt = Instant.parse(header(waiting, CourierHeaders.LAST_FAILURE_AT)).toEpochMilli();
        assertThat(dueAt - failedAt).as("3 s asked by LinkedIn, not the 1 s backoff").isEqualTo(3000L);
        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(Instant.parse(result.get("finishedAt").asText()).toEpochMilli()).isGreaterThanOrEqualTo(dueAt);
    }

    @Test
    void aServerErrorGetsOneInlineRetryThenADelayedOne() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault("""
                {"method":"GET","path":"/v2/userinfo","status":503,"times":2}""");
        String jobId = profileJob(account);

        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.get("attempts").asInt()).isEqualTo(3);
        ConsumerRecord<String, byte[]> waiting = kafka.await("linkedin.jobs.retry.1s",
                r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1, WAIT).get(0);
        assertThat(header(waiting, CourierHeaders.ERROR_CLASS)).isEqualTo("SERVER_ERROR");
        assertThat(header(waiting, CourierHeaders.ATTEMPTS)).isEqualTo("2");
    }

    @Test
    void aBadRequestIsDeadLetteredAfterOneCallWithTheOriginalCoordinates() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault("""
                {"method":"GET","path":"/v2/userinfo","status":400,"times":1,"body":"{\\"status\\":400,\
                \\"code\\":\\"PARAM_INVALID\\",\\"message\\":\\"bad param\\"}"}""");
        String jobId = profileJob(account);

        ConsumerRecord<String, byte[]> dead = kafka.await("linkedin.jobs.dlq",
                r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1, WAIT).get(0);
        assertThat(header(dead, CourierHeaders.ERROR_CLASS)).isEqualTo("BAD_REQUEST");
        assertThat(header(dead, CourierHeaders.ATTEMPTS)).isEqualTo("1");
        assertThat(header(dead, CourierHeaders.LINKEDIN_CODE)).isEqualTo("PARAM_INVALID");
        assertThat(header(dead, CourierHeaders.ORIGINAL_TOPIC)).isEqualTo("linkedin.jobs.sync");
        assertThat(header(dead, CourierHeaders.DUE_AT)).isNull();
        assertThat(resultOf(jobId).get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(io.restassured.RestAssured.get("/q/metrics").asString())
                .containsPattern("courier_dead_letters_total\\{class=\"BAD_REQUEST\"} [1-9]");
    }

    @Test
    void aJobThatKeepsFailingIsDeadLetteredAfterItsMaxAttemptsWithFirstAndLastFailure() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault("""
                {"method":"GET","path":"/v2/userinfo","status":500,"times":5}""");
        String jobId = profileJob(account);

        ConsumerRecord<String, byte[]> dead = kafka.await("linkedin.jobs.dlq",
                r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1, Duration.ofSeconds(60)).get(0);
        assertThat(header(dead, CourierHeaders.ERROR_CLASS)).isEqualTo("SERVER_ERROR");
        assertThat(header(dead, CourierHeaders.ATTEMPTS)).isEqualTo("5");
        assertThat(header(dead, CourierHeaders.ERROR_MESSAGE)).startsWith("5 attempts:");
        assertThat(header(dead, CourierHeaders.ORIGINAL_TOPIC)).isEqualTo("linkedin.jobs.sync");
        Instant first = Instant.parse(header(dead, CourierHeaders.FIRST_FAILURE_AT));
        Instant last = Instant.parse(header(dead, CourierHeaders.LAST_FAILURE_AT));
        assertThat(Duration.between(first, last)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(text(dead)).contains(jobId);
        assertThat(dead.headers().lastHeader(CourierHeaders.DUE_AT)).as("a dead letter has no due time").isNull();
    }
}
