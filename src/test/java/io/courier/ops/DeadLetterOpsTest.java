package io.courier.ops;

import static io.courier.testkit.ConnectedAccounts.ADMIN_TOKEN;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.job.LinkedInOperation;
import io.courier.quota.QuotaLimiter;
import io.courier.testkit.AdminCallers;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** The dead-letter index and its API: idempotent indexing, filters, dry run, paced replay, loop guard, audit. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class DeadLetterOpsTest extends PipelineTestSupport {

    @Inject
    DeadLetterStore store;
    @Inject
    AuditTrail auditTrail;
    @Inject
    QuotaLimiter limiter;
    @Inject
    RedissonClient redisson;
    @Inject
    org.apache.kafka.clients.admin.Admin admin;
    @ConfigProperty(name = "courier.quota.key-prefix")
    String quotaPrefix;

    @Test
    void indexingTheSameRecordsAgainAddsNothing() throws Exception {
        String account = "ops-idem-" + UUID.randomUUID();
        String jobId = deadLetter(account, "sync.profile");
        long id = indexedId(jobId);
        String topicId = admin.describeTopics(List.of("linkedin.jobs.dlq")).allTopicNames().get()
                .get("linkedin.jobs.dlq").topicId().toString();
        int added = store.index(topicId, kafka.readAll("linkedin.jobs.dlq", Duration.ofSeconds(1)));
        assertThat(added).as("records redelivered after a restart").isZero();
        assertThat(list("accountId=" + account).getList("items")).hasSize(1);
        assertThat(list("accountId=" + account).getLong("items[0].id")).isEqualTo(id);
    }

    @Test
    void everyFilterSelectsWhatItSays() throws Exception {
        String account = "ops-filter-" + UUID.randomUUID();
        Instant before = Instant.now().minusSeconds(1);
        String profile = deadLetter(account, "sync.profile");
        String posts = deadLetter(account, "sync.posts");
        long profileId = indexedId(profile);
        long postsId = indexedId(posts);

        assertThat(ids("accountId=" + account)).containsExactlyInAnyOrder(profileId, postsId);
        assertThat(ids("accountId=" + account + "&jobType=sync.posts")).containsExactly(postsId);
        assertThat(ids("accountId=" + account + "&errorClass=INVALID_JOB")).containsExactlyInAnyOrder(profileId,
                postsId);
        assertThat(ids("accountId=" + account + "&errorClass=BAD_REQUEST")).isEmpty();
        assertThat(ids("accountId=" + account + "&since=" + before)).hasSize(2);
        assertThat(ids("accountId=" + account + "&until=" + before)).isEmpty();
        assertThat(ids("ids=" + profileId)).containsExactly(profileId);
        assertThat(ids("accountId=" + account + "&state=DISCARDED")).isEmpty();

        admin().get("/admin/dead-letters?errorClass=NOPE").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("errorClass"));
        admin().get("/admin/dead-letters?since=yesterday").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("since"));
        admin().get("/admin/dead-letters?limit=0").then().statusCode(400).body("field",
                org.hamcrest.Matchers.equalTo("limit"));

        JsonPath one = admin().get("/admin/dead-letters/" + postsId).then().statusCode(200).extract().jsonPath();
        assertThat(one.getString("payload")).contains(posts);
        assertThat(one.getString("message")).contains("no connected account");
        assertThat(one.getString("headers.courier-error-class")).isEqualTo("INVALID_JOB");
    }

    @Test
    void aDryRunChangesNothingAndAReplayIsPacedAndAudited() throws Exception {
        String account = "ops-replay-" + UUID.randomUUID();
        for (int i = 0; i < 4; i++) {
            indexedId(deadLetter(account, "sync.profile"));
        }
        JsonPath dry = replay("""
                {"filter":{"accountId":"%s"},"limit":10,"dryRun":true}""".formatted(account));
        assertThat(dry.getInt("matched")).isEqualTo(4);
        assertThat(dry.getInt("replayed")).isZero();
        assertThat(dry.getList("ids")).hasSize(4);
        assertThat(dry.getInt("budget.userinfo.needed")).isEqualTo(4);
        assertThat(ids("accountId=" + account + "&state=NEW")).hasSize(4);

        String run = account; // replayed records carry the account in their value
        JsonPath done = replay("""
                {"filter":{"accountId":"%s"},"limit":10,"dryRun":false}""".formatted(account));
        assertThat(done.getInt("replayed")).isEqualTo(4);
        assertThat(ids("accountId=" + account + "&state=REPLAYED")).hasSize(4);
        var replayed = kafka.await("linkedin.jobs.sync", r -> KafkaTestClient.text(r).contains(run)
                && "1".equals(KafkaTestClient.header(r, "courier-replay-count")), 4, WAIT);
        // Paced at courier.dead-letters.replay-rate (20/s in tests): four sends span at least three gaps of 50 ms.
        long span = replayed.get(3).timestamp() - replayed.get(0).timestamp();
        assertThat(span).isGreaterThanOrEqualTo(140);

        List<Map<String, Object>> audit = auditTrail.latest(5);
        assertThat(audit).anySatisfy(a -> {
            assertThat(a.get("operator")).isEqualTo(AdminCallers.OPERATOR.name());
            assertThat(a.get("state")).isEqualTo("done");
            assertThat(a.get("action")).isEqualTo("REPLAY");
            assertThat(a.get("dryRun")).isEqualTo(false);
            assertThat(a.get("replayed")).isEqualTo(4);
            assertThat((String) a.get("filter")).contains(account);
        });
        assertThat(audit).anySatisfy(a -> assertThat(a.get("dryRun")).isEqualTo(true));
    }

    @Test
    void aReplayTakesNoMoreThanItsShareOfTheRemainingBudget() throws Exception {
        String account = "ops-budget-" + UUID.randomUUID();
        indexedId(deadLetter(account, "sync.org-share-stats"));
        limiter.markSpent(LinkedInOperation.SHARE_STATISTICS, Optional.empty()); // nothing left today
        try {
            JsonPath report = replay("""
                    {"filter":{"accountId":"%s"},"dryRun":false}""".formatted(account));
            assertThat(report.getInt("replayed")).isZero();
            assertThat(report.getList("deferredForBudget")).hasSize(1);
            assertThat(report.getDouble("budget.shareStatistics.remaining")).isZero();
            assertThat(ids("accountId=" + account + "&state=NEW")).hasSize(1);
        } finally {
            redisson.getKeys().delete(quotaPrefix + ":{share-statistics}:app");
        }
    }

    @Test
    void theLoopGuardRefusesAJobReplayedTooOftenUnlessForced() throws Exception {
        String account = "ops-loop-" + UUID.randomUUID();
        String jobId = deadLetter(account, "sync.profile");
        for (int count = 0; count < 3; count++) {
            awaitDeadLetters(jobId, count + 1);
            assertThat(replay("""
                    {"filter":{"accountId":"%s"},"dryRun":false}""".formatted(account)).getInt("replayed"))
                    .isEqualTo(1);
        }
        awaitDeadLetters(jobId, 4); // back again, now with courier-replay-count 3
        assertThat(list("accountId=" + account + "&state=NEW").getInt("items[0].replayCount")).isEqualTo(3);

        JsonPath refused = replay("""
                {"filter":{"accountId":"%s"},"dryRun":false}""".formatted(account));
        assertThat(refused.getInt("replayed")).isZero();
        assertThat(refused.getList("refusedLoopGuard")).hasSize(1);
        JsonPath forced = replay("""
                {"filter":{"accountId":"%s"},"dryRun":false,"force":true}""".formatted(account));
        assertThat(forced.getInt("replayed")).isEqualTo(1);
    }

    @Test
    void discardMarksThemHandledAndTheApiNeedsTheToken() throws Exception {
        String account = "ops-discard-" + UUID.randomUUID();
        long id = indexedId(deadLetter(account, "sync.profile"));
        JsonPath report = admin().contentType("application/json").body("""
                {"filter":{"ids":[%s]}}""".formatted(id))
                .post("/admin/dead-letters/discard").then().statusCode(200).extract().jsonPath();
        assertThat(report.getInt("discarded")).isEqualTo(1);
        assertThat(ids("accountId=" + account + "&state=DISCARDED")).containsExactly(id);
        assertThat(auditTrail.latest(3)).anySatisfy(a -> assertThat(a.get("action")).isEqualTo("DISCARD"));

        given().get("/admin/dead-letters").then().statusCode(401);
        given().auth().oauth2("wrong").get("/admin/dead-letters").then().statusCode(401);
        given().contentType("application/json").body("{}").post("/admin/dead-letters/replay").then().statusCode(401);
        admin().contentType("application/json").body("""
                {"filter":{"jobType":"post.delete"}}""")
                .post("/admin/dead-letters/replay").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("jobType"));
    }

    /** A job for an account Courier does not know: dead-lettered at once as INVALID_JOB, every time it runs. */
    private String deadLetter(String account, String type) {
        String jobId = UUID.randomUUID().toString();
        kafka.send(type.startsWith("post") ? "linkedin.jobs.post" : "linkedin.jobs.sync", account,
                job(jobId, type, account, type.equals("sync.posts")
                        ? """
                        {"author":"urn:li:person:x"}"""
                        : type.equals("sync.org-share-stats") ? """
                                {"organization":"urn:li:organization:1"}""" : "{}"));
        return jobId;
    }

    private long indexedId(String jobId) {
        awaitDeadLetters(jobId, 1);
        return store.list(DeadLetterFilter.parse(null, null, null, null, null, List.of(), null), 200).stream()
                .filter(d -> d.jobId().orElse("").equals(jobId)).findFirst().orElseThrow().id();
    }

    private void awaitDeadLetters(String jobId, int count) {
        await().atMost(WAIT)
                .until(() -> store.list(DeadLetterFilter.parse(null, null, null, null, null, List.of(), null), 500)
                        .stream().filter(d -> d.jobId().orElse("").equals(jobId)).count() >= count);
    }

    private JsonPath replay(String body) {
        return given().auth().oauth2(AdminCallers.OPERATOR.token()).contentType("application/json").body(body)
                .post("/admin/dead-letters/replay").then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath list(String query) {
        return admin().get("/admin/dead-letters?" + query).then().statusCode(200).extract().jsonPath();
    }

    private static List<Long> ids(String query) {
        return list(query).getList("items.id", Long.class);
    }

    private static io.restassured.specification.RequestSpecification admin() {
        return given().auth().oauth2(ADMIN_TOKEN);
    }
}
