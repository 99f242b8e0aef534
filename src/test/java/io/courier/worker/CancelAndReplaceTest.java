package io.courier.worker;

import static io.courier.testkit.AccountFixtures.importTokens;
import static io.courier.testkit.ConnectedAccounts.connect;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.testkit.AdminCallers;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Cancel and replace (issue #19 point 2): a job not yet published is never published once cancelled, wherever it
 * waits (scheduled, delayed, parked), and a jobId republished with a newer createdAt replaces the waiting one. The
 * check is made when the job is about to run, against PostgreSQL, so no armed record can fire a cancelled job.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class CancelAndReplaceTest extends PipelineTestSupport {

    private static final String POSTS = "linkedin.jobs.post";

    private static ObjectNode post(Connected account, String jobId, Instant createdAt, Instant notBefore,
            String text) {
        ObjectNode job = JSON.createObjectNode().put("jobId", jobId).put("type", "post.create")
                .put("accountId", account.accountId()).put("createdAt", createdAt.toString());
        if (notBefore != null) {
            job.put("notBefore", notBefore.toString());
        }
        job.putObject("payload").put("author", account.memberUrn()).put("commentary", text);
        return job;
    }

    private static String cancel(Connected account, String jobId) {
        return JSON.createObjectNode().put("type", "job.cancel").put("accountId", account.accountId())
                .put("jobId", jobId).put("createdAt", Instant.now().toString()).toString();
    }

    private List<String> commentaries(Connected account) {
        return StreamSupport.stream(simulator.call("GET", "/sim/posts?author=" + account.memberUrn(), null)
                .spliterator(), false).map(p -> p.get("commentary").asText()).toList();
    }

    private List<JsonNode> resultsOf(String jobId, Duration within) {
        return kafka.readAll("linkedin.jobs.results", within).stream().map(KafkaTestClient::text)
                .filter(t -> t.contains("\"" + jobId + "\"")).map(t -> {
                    try {
                        return JSON.readTree(t);
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
    }

    @Test
    void aScheduledPostCancelledSecondsBeforeItsTimeIsNeverPublished() throws Exception {
        Connected account = connect(simulator, "{}");
        String jobId = UUID.randomUUID().toString();
        Instant due = Instant.now().plusSeconds(6);
        kafka.send(POSTS, account.accountId(), post(account, jobId, Instant.now(), due, "tonight").toString());
        Thread.sleep(3000); // it waits in a tier now, its record armed for `due`
        kafka.send(POSTS, account.accountId(), cancel(account, jobId));

        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(Instant.parse(result.get("finishedAt").asText())).as("answered at once, not at its time")
                .isBefore(due);
        Thread.sleep(Duration.between(Instant.now(), due.plusSeconds(4)).toMillis());
        assertThat(commentaries(account)).as("never published").isEmpty();
        assertThat(resultsOf(jobId, Duration.ofSeconds(1))).as("one result").hasSize(1);
    }

    @Test
    void anOperatorCancelsAJobWaitingInADelayTier() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault("""
                {"method":"POST","path":"/rest/posts","status":503,"times":2}""");
        String jobId = UUID.randomUUID().toString();
        kafka.send(POSTS, account.accountId(), post(account, jobId, Instant.now(), null, "delayed").toString());
        // It waits in the 5 s tier once its version is on record (what a cancel or a newer version is checked against).
        await().atMost(WAIT).until(() -> count("select count(*) from job_version where job_id = '" + jobId + "'") == 1);

        given().auth().oauth2(AdminCallers.VIEWER.token()).post("/admin/jobs/{a}/{j}/cancel", account.accountId(),
                jobId).then().statusCode(403).body("error", containsString("operator"));
        given().auth().oauth2(AdminCallers.OPERATOR.token()).post("/admin/jobs/{a}/{j}/cancel", account.accountId(),
                jobId).then().statusCode(200).body("status", equalTo("CANCELLED"))
                .body("jobId", equalTo(jobId));

        assertThat(resultOf(jobId).get("status").asText()).isEqualTo("CANCELLED");
        Thread.sleep(8000); // its 5 s delay passes: the record comes back and must stop
        assertThat(commentaries(account)).isEmpty();
        assertThat(resultsOf(jobId, Duration.ofSeconds(1))).hasSize(1);
        assertThat(count("select count(*) from dead_letter_audit where action = 'CANCEL' and operator = '"
                + AdminCallers.OPERATOR.name() + "' and filter like '%" + jobId + "%'")).isEqualTo(1);
    }

    @Test
    void aParkedJobCancelledBeforeTheReconnectIsNotPublished() throws Exception {
        Connected account = connect(simulator, """
                {"refreshToken":false}""");
        importTokens(account.accountId(), account.member(), Instant.now().minusSeconds(60), false);
        String jobId = UUID.randomUUID().toString();
        kafka.send(POSTS, account.accountId(), post(account, jobId, Instant.now(), null, "parked").toString());
        await().atMost(WAIT).until(() -> count("select count(*) from parked_job where account_id = '"
                + account.accountId() + "'") == 1);

        kafka.send(POSTS, account.accountId(), cancel(account, jobId));
        assertThat(resultOf(jobId).get("status").asText()).isEqualTo("CANCELLED");
        importTokens(account.accountId(), account.member(), Instant.now().plusSeconds(3600), false);
        await().atMost(WAIT).until(() -> count("select count(*) from parked_job where account_id = '"
                + account.accountId() + "'") == 0);
        Thread.sleep(3000);
        assertThat(commentaries(account)).isEmpty();
    }

    @Test
    void cancellingAJobThatRanAnswersWhatHappened() throws Exception {
        Connected account = connect(simulator, "{}");
        String jobId = UUID.randomUUID().toString();
        kafka.send(POSTS, account.accountId(), post(account, jobId, Instant.now(), null, "already out").toString());
        JsonNode done = resultOf(jobId);
        assertThat(done.get("status").asText()).isEqualTo("SUCCEEDED");

        given().auth().oauth2(AdminCallers.OPERATOR.token()).post("/admin/jobs/{a}/{j}/cancel", account.accountId(),
                jobId).then().statusCode(409).body("status", equalTo("SUCCEEDED"))
                .body("data.postUrn", equalTo(done.get("data").get("postUrn").asText()));
        kafka.send(POSTS, account.accountId(), cancel(account, jobId));
        await().atMost(WAIT).until(() -> resultsOf(jobId, Duration.ofMillis(500)).size() == 2);
        assertThat(resultsOf(jobId, Duration.ofSeconds(1))).as("the cancel re-emits what happened")
                .allMatch(r -> r.get("status").asText().equals("SUCCEEDED"));
        assertThat(commentaries(account)).containsExactly("already out");
    }

    @Test
    void aJobRepublishedWithANewerCreatedAtReplacesTheWaitingOne() throws Exception {
        Connected account = connect(simulator, "{}");
        String jobId = UUID.randomUUID().toString();
        Instant created = Instant.now();
        Instant due = Instant.now().plusSeconds(5);
        kafka.send(POSTS, account.accountId(), post(account, jobId, created, due, "first draft").toString());
        kafka.send(POSTS, account.accountId(),
                post(account, jobId, created.plusSeconds(60), due.plusSeconds(1), "edited").toString());
        // An older version arriving late (a producer's retry) changes nothing.
        kafka.send(POSTS, account.accountId(),
                post(account, jobId, created.minusSeconds(60), null, "stale").toString());

        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        Thread.sleep(Duration.between(Instant.now(), due.plusSeconds(4)).toMillis());
        assertThat(commentaries(account)).containsExactly("edited");
        assertThat(resultsOf(jobId, Duration.ofSeconds(1))).as("the replaced versions end without a result")
                .hasSize(1);
    }

    @Test
    void aCancelForAnotherAccountTouchesNothing() throws Exception {
        Connected owner = connect(simulator, "{}");
        Connected stranger = connect(simulator, "{}");
        String jobId = UUID.randomUUID().toString();
        Instant due = Instant.now().plusSeconds(4);
        kafka.send(POSTS, owner.accountId(), post(owner, jobId, Instant.now(), due, "mine").toString());
        kafka.send(POSTS, stranger.accountId(), cancel(stranger, jobId));

        JsonNode result = resultOf(jobId);
        assertThat(result.get("accountId").asText()).as("the stranger's cancel is its own job's")
                .isEqualTo(stranger.accountId());
        assertThat(result.get("status").asText()).isEqualTo("CANCELLED");
        await().atMost(WAIT).until(() -> commentaries(owner).equals(List.of("mine")));
    }

    @Test
    void aCancelWithoutItsFieldsIsAnInvalidJob() throws Exception {
        Connected account = connect(simulator, "{}");
        String jobId = UUID.randomUUID().toString();
        kafka.send(POSTS, account.accountId(), JSON.createObjectNode().put("type", "job.cancel")
                .put("accountId", account.accountId()).put("jobId", jobId).toString());
        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(result.get("errorClass").asText()).isEqualTo("INVALID_JOB");
        assertThat(result.get("errorMessage").asText()).contains("createdAt");
    }

    private long count(String query) throws Exception {
        try (var c = db.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            r.next();
            return r.getLong(1);
        }
    }
}
