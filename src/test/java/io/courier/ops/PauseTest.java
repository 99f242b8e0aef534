package io.courier.ops;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.retry.CourierHeaders;
import io.courier.testkit.AdminCallers;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pause and resume (CONTRACT §5): a paused account's or job type's jobs wait in the tiers without calling LinkedIn,
 * nothing is dropped, and they run (in order) when resumed; a pause another pod wrote is seen within seconds; one
 * audit row per action; operators only.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class PauseTest extends PipelineTestSupport {

    @AfterEach
    void resumeEverything() throws Exception {
        sql("delete from job_pause");
    }

    @Test
    void aPausedAccountsJobsWaitInTheTiersAndRunInOrderOnceResumed() throws Exception {
        Connected paused = connect(simulator, "{}");
        Connected other = connect(simulator, "{}");
        operator().put("/admin/pauses/accounts/" + paused.accountId()).then().statusCode(200)
                .body("changed", equalTo(true)).body("paused", equalTo(true));
        operator().put("/admin/pauses/accounts/" + paused.accountId()).then().statusCode(200)
                .body("changed", equalTo(false));
        List<String> jobs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            jobs.add(post(paused, "paused " + i));
        }
        String free = post(other, "not paused");

        assertThat(resultOf(free).get("status").asText()).isEqualTo("SUCCEEDED");
        ConsumerRecordWait waiting = new ConsumerRecordWait(jobs.get(0));
        kafka.await(List.of("linkedin.jobs.retry.1s", "linkedin.jobs.retry.5s"), waiting::matches, 2, WAIT);
        Thread.sleep(1500);
        assertThat(resultsOf(jobs)).as("no paused job ran").isEmpty();
        assertThat(postsBy(paused)).as("no LinkedIn call for the paused account").isZero();
        assertThat(operator().get("/admin/pauses").then().statusCode(200).extract().jsonPath()
                .getList("value", String.class)).contains(paused.accountId());
        assertThat(io.restassured.RestAssured.get("/q/metrics").asString()).contains("outcome=\"paused\"");

        operator().delete("/admin/pauses/accounts/" + paused.accountId()).then().statusCode(200)
                .body("changed", equalTo(true)).body("paused", equalTo(false));
        List<Instant> finished = new ArrayList<>();
        for (String jobId : jobs) {
            JsonNode result = resultOf(jobId);
            assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
            finished.add(Instant.parse(result.get("finishedAt").asText()));
        }
        assertThat(finished).as("in the order they were published").isSorted();
        assertThat(postsBy(paused)).isEqualTo(3);
        List<String> audited = operator().get("/admin/dead-letters/audit?limit=20").then().statusCode(200)
                .extract().jsonPath().getList("findAll { it.filter == 'account=" + paused.accountId()
                        + "' }.action", String.class);
        assertThat(audited).as("one audit row per action").containsExactlyInAnyOrder("PAUSE", "PAUSE", "RESUME");
    }

    @Test
    void aPausedJobTypeWaitsWhileTheAccountsOtherJobsRun() throws Exception {
        Connected account = connect(simulator, "{}");
        operator().put("/admin/pauses/job-types/sync.profile").then().statusCode(200).body("changed", equalTo(true));
        String sync = job("sync.profile", account.accountId(), "{}");
        kafka.send("linkedin.jobs.sync", account.accountId(), sync);
        String syncId = JSON.readTree(sync).get("jobId").asText();
        String postId = post(account, "a post while profile syncs are paused");

        assertThat(resultOf(postId).get("status").asText()).isEqualTo("SUCCEEDED");
        Thread.sleep(2500);
        assertThat(resultsOf(List.of(syncId))).isEmpty();
        operator().get("/admin/jobs/" + account.accountId() + "/" + syncId).then().statusCode(200)
                .body("version.waitsFor", equalTo("PAUSED")).body("pausedBy.value", contains("sync.profile"))
                .body("outcome", nullValue());
        operator().delete("/admin/pauses/job-types/sync.profile").then().statusCode(200);
        assertThat(resultOf(syncId).get("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aCancelEndsAPausedJob() throws Exception {
        Connected account = connect(simulator, "{}");
        operator().put("/admin/pauses/accounts/" + account.accountId()).then().statusCode(200);
        String jobId = post(account, "cancelled while paused");
        kafka.await(List.of("linkedin.jobs.retry.1s", "linkedin.jobs.retry.5s"), new ConsumerRecordWait(jobId)::matches,
                1, WAIT);
        operator().post("/admin/jobs/" + account.accountId() + "/" + jobId + "/cancel").then().statusCode(200)
                .body("status", equalTo("CANCELLED"));
        int hops = kafka.readAll("linkedin.jobs.retry.1s", Duration.ofMillis(500)).stream()
                .filter(new ConsumerRecordWait(jobId)::matches).toList().size();
        Thread.sleep(3000);
        assertThat(kafka.readAll("linkedin.jobs.retry.1s", Duration.ofMillis(500)).stream()
                .filter(new ConsumerRecordWait(jobId)::matches).count())
                .as("it stopped looking again (one look may have"
                        + " been under way at the cancel)")
                .isLessThanOrEqualTo(hops + 1);
        operator().delete("/admin/pauses/accounts/" + account.accountId()).then().statusCode(200);
        Thread.sleep(2000);
        assertThat(postsBy(account)).as("a cancelled job never calls LinkedIn").isZero();
    }

    @Test
    void aPauseAnotherPodWroteIsSeenWithinSeconds() throws Exception {
        Connected account = connect(simulator, "{}");
        sql("insert into job_pause (scope, value, paused_at, paused_by) values ('account', '" + account.accountId()
                + "', now(), 'another-pod')");
        Thread.sleep(2000); // courier.worker.pause-refresh is 1 s
        String jobId = post(account, "paused by another pod");
        Thread.sleep(2500);
        assertThat(resultsOf(List.of(jobId))).isEmpty();
        sql("delete from job_pause");
        assertThat(resultOf(jobId).get("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void onlyOperatorsPauseAndOnlyWhatExists() {
        given().put("/admin/pauses/accounts/acct-1").then().statusCode(401);
        given().auth().oauth2(AdminCallers.VIEWER.token()).put("/admin/pauses/accounts/acct-1").then()
                .statusCode(403);
        given().auth().oauth2(AdminCallers.VIEWER.token()).get("/admin/pauses").then().statusCode(200);
        operator().put("/admin/pauses/job-types/post.teleport").then().statusCode(400)
                .body("field", equalTo("jobType"));
        operator().put("/admin/pauses/accounts/not an id").then().statusCode(400).body("field", equalTo("accountId"));
    }

    private String post(Connected account, String text) {
        String jobId = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.post", account.accountId(), job(jobId, "post.create", account.accountId(), """
                {"author":"%s","commentary":"%s %s"}""".formatted(account.memberUrn(), text, jobId)));
        return jobId;
    }

    private List<String> resultsOf(List<String> jobIds) {
        return kafka.readAll("linkedin.jobs.results", Duration.ofMillis(500)).stream().map(KafkaTestClient::text)
                .filter(v -> jobIds.stream().anyMatch(v::contains)).toList();
    }

    private long postsBy(Connected account) {
        return StreamSupport.stream(simulator.requests().spliterator(), false)
                .filter(r -> r.get("path").asText().equals("/rest/posts") && r.get("method").asText().equals("POST")
                        && account.member().get("memberId").asText().equals(r.path("memberId").asText()))
                .count();
    }

    private static RequestSpecification operator() {
        return given().auth().oauth2(AdminCallers.OPERATOR.token());
    }

    private record ConsumerRecordWait(String jobId) {
        boolean matches(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r) {
            return jobId.equals(KafkaTestClient.header(r, CourierHeaders.JOB_ID));
        }
    }
}
