package io.courier.worker;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.KafkaTestClient.header;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.retry.CourierHeaders;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Scheduled jobs (issue #19 point 1): notBefore holds a job in the retry tiers until its time, notAfter ends a job
 * that could not run in time as EXPIRED, never late.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class ScheduledJobsTest extends PipelineTestSupport {

    private static final String POSTS = "linkedin.jobs.post";

    private String post(Connected account, Instant notBefore, Instant notAfter) {
        ObjectNode job = JSON.createObjectNode().put("jobId", UUID.randomUUID().toString()).put("type", "post.create")
                .put("accountId", account.accountId()).put("createdAt", "2026-11-24T10:00:00Z");
        if (notBefore != null) {
            job.put("notBefore", notBefore.toString());
        }
        if (notAfter != null) {
            job.put("notAfter", notAfter.toString());
        }
        job.putObject("payload").put("author", account.memberUrn()).put("commentary",
                "scheduled " + UUID.randomUUID());
        return job.toString();
    }

    private long postsOf(Connected account) {
        return StreamSupport.stream(simulator.call("GET", "/sim/posts?author=" + account.memberUrn(), null)
                .spliterator(), false).count();
    }

    @Test
    void aJobRunsWithinSecondsOfItsNotBeforeAndNotEarlier() throws Exception {
        Connected account = connect(simulator, "{}");
        Instant due = Instant.now().plusSeconds(6);
        String job = post(account, due, null);
        kafka.send(POSTS, account.accountId(), job);

        Thread.sleep(3000);
        assertThat(postsOf(account)).as("not published before notBefore").isZero();
        JsonNode result = resultOf(JSON.readTree(job).get("jobId").asText());
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        Instant finished = Instant.parse(result.get("finishedAt").asText());
        assertThat(finished).isAfterOrEqualTo(due).isBefore(due.plusSeconds(3));
        assertThat(result.get("attempts").asInt()).as("waiting is no attempt").isEqualTo(1);
    }

    @Test
    void aPastNotBeforeRunsAtOnce() throws Exception {
        Connected account = connect(simulator, "{}");
        String job = post(account, Instant.now().minusSeconds(3600), null);
        long sent = System.nanoTime();
        kafka.send(POSTS, account.accountId(), job);
        assertThat(resultOf(JSON.readTree(job).get("jobId").asText()).get("status").asText())
                .isEqualTo("SUCCEEDED");
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aJobMonthsAheadWaitsInTheLongestTierWithoutFailureHeaders() throws Exception {
        Connected account = connect(simulator, "{}");
        Instant due = Instant.now().plus(Duration.ofDays(90));
        String job = post(account, due, null);
        String jobId = JSON.readTree(job).get("jobId").asText();
        kafka.send(POSTS, account.accountId(), job);

        ConsumerRecord<String, byte[]> waiting = kafka.await("linkedin.jobs.retry.1h",
                r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1, WAIT).get(0);
        assertThat(header(waiting, CourierHeaders.DUE_AT)).isEqualTo(Long.toString(due.toEpochMilli()));
        assertThat(header(waiting, CourierHeaders.ERROR_CLASS)).as("it did not fail").isNull();
        assertThat(header(waiting, CourierHeaders.FIRST_FAILURE_AT)).isNull();
        assertThat(header(waiting, CourierHeaders.ATTEMPTS)).isEqualTo("0");
        assertThat(postsOf(account)).isZero();
    }

    @Test
    void aJobPastItsNotAfterIsExpiredWithoutCallingLinkedIn() throws Exception {
        Connected account = connect(simulator, "{}");
        String job = post(account, null, Instant.now().minusSeconds(60));
        String jobId = JSON.readTree(job).get("jobId").asText();
        kafka.send(POSTS, account.accountId(), job);

        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(result.get("errorClass").asText()).isEqualTo("EXPIRED");
        assertThat(result.get("errorMessage").asText()).contains("notAfter").contains("not run late");
        assertThat(postsOf(account)).isZero();
    }

    @Test
    void aNotAfterThatIsNotAfterNotBeforeIsAnInvalidJob() throws Exception {
        Connected account = connect(simulator, "{}");
        Instant at = Instant.now().plusSeconds(60);
        String job = post(account, at, at.minusSeconds(1));
        kafka.send(POSTS, account.accountId(), job);

        JsonNode result = resultOf(JSON.readTree(job).get("jobId").asText());
        assertThat(result.get("errorClass").asText()).isEqualTo("INVALID_JOB");
        assertThat(result.get("errorMessage").asText()).startsWith("notAfter: ").contains("never run");
    }
}
