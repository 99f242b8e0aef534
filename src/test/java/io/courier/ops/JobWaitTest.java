package io.courier.ops;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.NullNode;
import io.courier.job.JobControl;
import io.courier.job.JobEnvelope;
import io.courier.job.JobType;
import io.courier.testkit.AdminCallers;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the jobs view says a job waits for (issue #20): the newest version's wait, never an older record's seen
 * later; a job dead-lettered after a retry is not waiting any more.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class JobWaitTest extends PipelineTestSupport {

    @Inject
    JobControl control;

    @AfterEach
    void clearFaults() {
        simulator.clearFaults();
    }

    @Test
    void anOlderVersionSeenLaterLeavesTheNewerOnesWaitAlone() {
        String account = "acct-" + UUID.randomUUID();
        String jobId = UUID.randomUUID().toString();
        Instant newer = Instant.parse("2026-12-02T10:00:00Z");
        Instant due = Instant.parse("2026-12-03T10:00:00Z");
        control.register(envelope(jobId, account, newer), JobControl.Wait.retry(2, "SERVER_ERROR", "503", due));
        control.register(envelope(jobId, account, newer.minusSeconds(60)),
                JobControl.Wait.of(JobControl.Wait.Reason.SCHEDULED, 0, due.plusSeconds(3600)));

        JsonPath job = jobView(account, jobId);
        assertThat(job.getString("version.waitsFor")).isEqualTo("RETRY");
        assertThat(job.getInt("version.attempts")).isEqualTo(2);
        assertThat(Instant.parse(job.getString("version.dueAt"))).isEqualTo(due);
        assertThat(Instant.parse(job.getString("version.createdAt"))).isEqualTo(newer);
    }

    @Test
    void aJobDeadLetteredAfterARetryIsNoLongerWaiting() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault("""
                {"method":"POST","path":"/rest/posts","status":429,"headers":{"Retry-After":"1"},"times":1}""");
        simulator.fault("""
                {"method":"POST","path":"/rest/posts","status":400,"times":1}""");
        String jobId = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.post", account.accountId(), job(jobId, "post.create", account.accountId(), """
                {"author":"%s","commentary":"throttled, then refused %s"}""".formatted(account.memberUrn(), jobId)));

        assertThat(resultOf(jobId).get("status").asText()).isEqualTo("DEAD_LETTERED");
        await().atMost(WAIT).until(() -> !jobView(account.accountId(), jobId).getList("deadLetters").isEmpty());
        JsonPath job = jobView(account.accountId(), jobId);
        assertThat(job.getString("version.waitsFor")).as("its last wait is on record").isEqualTo("RETRY");
        assertThat(job.getBoolean("version.deadLettered")).isTrue();
        assertThat(RestAssured.given().auth().oauth2(AdminCallers.VIEWER.token())
                .get("/admin/jobs?accountId=" + account.accountId()).jsonPath().getList("waiting.jobId"))
                .doesNotContain(jobId);
    }

    private static JobEnvelope envelope(String jobId, String account, Instant createdAt) {
        return new JobEnvelope(jobId, JobType.POST_CREATE, account, createdAt, NullNode.getInstance(),
                Optional.empty(), Optional.empty());
    }

    private static JsonPath jobView(String account, String jobId) {
        return RestAssured.given().auth().oauth2(AdminCallers.VIEWER.token())
                .get("/admin/jobs/" + account + "/" + jobId)
                .then().statusCode(200).extract().jsonPath();
    }
}
