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
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The whole path of a job through real Kafka, PostgreSQL and Redis, against the LinkedIn simulator. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class JobPipelineTest extends PipelineTestSupport {

    static final String POSTS = "linkedin.jobs.post";
    static final String SYNCS = "linkedin.jobs.sync";
    static final String RESULTS = "linkedin.jobs.results";
    static final String DLQ = "linkedin.jobs.dlq";

    private ConsumerRecord<String, byte[]> deadLetterOf(String jobId) {
        return kafka.await(DLQ, r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1, WAIT).get(0);
    }

    private String postJob(Connected account, String commentary) {
        return job("post.create", account.accountId(),
                """
                        {"author":"%s","commentary":%s}""".formatted(account.memberUrn(),
                        JSON.valueToTree(commentary)));
    }

    @Test
    void publishesAPostAndReportsTheSimulatorsUrn() throws Exception {
        Connected account = connect(simulator, "{}");
        String job = postJob(account, "Hello from " + UUID.randomUUID());
        String jobId = JSON.readTree(job).get("jobId").asText();

        kafka.send(POSTS, account.accountId(), job);

        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.get("accountId").asText()).isEqualTo(account.accountId());
        assertThat(result.get("type").asText()).isEqualTo("post.create");
        assertThat(result.get("attempts").asInt()).isEqualTo(1);
        assertThat(result.get("linkedinRequestId").asText()).isNotBlank();
        String urn = result.at("/data/postUrn").asText();
        assertThat(urn).matches("urn:li:share:\\d{19}");
        assertThat(simulator.call("GET", "/sim/posts?author=" + account.memberUrn(), null).toString()).contains(urn);
    }

    @Test
    void aJobThatAlreadySucceededIsNotRunAgainButItsResultIsReEmitted() throws Exception {
        Connected account = connect(simulator, "{}");
        String job = postJob(account, "Once only " + UUID.randomUUID());
        String jobId = JSON.readTree(job).get("jobId").asText();
        kafka.send(POSTS, account.accountId(), job);
        String firstUrn = resultOf(jobId).at("/data/postUrn").asText();

        kafka.send(POSTS, account.accountId(), job);

        List<ConsumerRecord<String, byte[]>> results = kafka.await(RESULTS, r -> text(r).contains(jobId), 2, WAIT);
        assertThat(results).extracting(KafkaTestClient::text).allMatch(t -> t.contains(firstUrn));
        assertThat(simulator.call("GET", "/sim/posts?author=" + account.memberUrn(), null).size()).isEqualTo(1);
    }

    @Test
    void aDuplicatePostIsASuccessWithTheOriginalUrn() throws Exception {
        Connected account = connect(simulator, "{}");
        String commentary = "Same words " + UUID.randomUUID();
        String first = postJob(account, commentary);
        kafka.send(POSTS, account.accountId(), first);
        String originalUrn = resultOf(JSON.readTree(first).get("jobId").asText()).at("/data/postUrn").asText();

        String second = postJob(account, commentary);
        kafka.send(POSTS, account.accountId(), second);

        JsonNode result = resultOf(JSON.readTree(second).get("jobId").asText());
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.get("duplicate").asBoolean()).isTrue();
        assertThat(result.at("/data/postUrn").asText()).isEqualTo(originalUrn);
        assertThat(simulator.requests().findValuesAsText("path")).as("the duplicate's post was read back")
                .contains("/rest/posts/"
                        + java.net.URLEncoder.encode(originalUrn, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aDuplicateOfADeletedPostIsDeadLetteredAsDuplicateBlockedNeverASuccess() throws Exception {
        Connected account = connect(simulator, "{}");
        String commentary = "Posted, deleted, posted again " + UUID.randomUUID();
        String first = postJob(account, commentary);
        kafka.send(POSTS, account.accountId(), first);
        String deletedUrn = resultOf(JSON.readTree(first).get("jobId").asText()).at("/data/postUrn").asText();
        simulator.call("DELETE", "/sim/posts/" + deletedUrn, null);

        String again = postJob(account, commentary);
        String againId = JSON.readTree(again).get("jobId").asText();
        kafka.send(POSTS, account.accountId(), again);

        JsonNode result = resultOf(againId);
        assertThat(result.get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(result.get("errorClass").asText()).isEqualTo("DUPLICATE_BLOCKED");
        ConsumerRecord<String, byte[]> dead = deadLetterOf(againId);
        assertThat(header(dead, CourierHeaders.ERROR_CLASS)).isEqualTo("DUPLICATE_BLOCKED");
        assertThat(header(dead, CourierHeaders.ERROR_MESSAGE)).contains(deletedUrn).contains("deleted post");
        assertThat(header(dead, CourierHeaders.HTTP_STATUS)).isEqualTo("404");
        assertThat(simulator.call("GET", "/sim/posts?author=" + account.memberUrn(), null).size())
                .as("nothing published").isZero();
    }

    @Test
    void poisonRecordsAreDeadLetteredWithAReasonWhileValidJobsKeepFlowing() throws Exception {
        Connected account = connect(simulator, "{}");
        String before = postJob(account, "before the poison " + UUID.randomUUID());
        String unknownType = job("post.delete", account.accountId(), "{}");
        String tooLong = postJob(account, "x".repeat(3001));
        String after = postJob(account, "after the poison " + UUID.randomUUID());
        byte[] notJson = {(byte) 0xC3, 0x28, '{', 'o', 'o', 'p', 's'};

        kafka.send(POSTS, account.accountId(), before);
        kafka.send(POSTS, account.accountId(), notJson);
        kafka.send(POSTS, account.accountId(), unknownType);
        kafka.send(POSTS, account.accountId(), tooLong);
        kafka.send(POSTS, account.accountId(), after);

        assertThat(resultOf(JSON.readTree(after).get("jobId").asText()).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(resultOf(JSON.readTree(before).get("jobId").asText()).get("status").asText()).isEqualTo("SUCCEEDED");

        ConsumerRecord<String, byte[]> poison = kafka
                .await(DLQ, r -> java.util.Arrays.equals(r.value(), notJson), 1, WAIT).get(0);
        assertThat(header(poison, CourierHeaders.ERROR_CLASS)).isEqualTo("INVALID_JOB");
        assertThat(header(poison, CourierHeaders.ERROR_MESSAGE)).startsWith("value: not valid JSON");
        assertThat(poison.key()).isEqualTo(account.accountId());

        ConsumerRecord<String, byte[]> unknown = deadLetterOf(JSON.readTree(unknownType).get("jobId").asText());
        assertThat(header(unknown, CourierHeaders.ERROR_MESSAGE)).contains("type");
        assertThat(text(unknown)).isEqualTo(unknownType);

        ConsumerRecord<String, byte[]> longPost = deadLetterOf(JSON.readTree(tooLong).get("jobId").asText());
        assertThat(header(longPost, CourierHeaders.ERROR_MESSAGE)).contains("commentary").containsAnyOf("3000",
                "3,000");
        assertThat(header(longPost, CourierHeaders.ATTEMPTS)).isEqualTo("0");

        JsonNode reported = resultOf(JSON.readTree(tooLong).get("jobId").asText());
        assertThat(reported.get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(reported.get("errorClass").asText()).isEqualTo("INVALID_JOB");
    }

    @Test
    void aJobForAnUnknownAccountIsDeadLetteredWithoutCallingLinkedIn() throws Exception {
        int callsBefore = simulator.requests().size();
        String job = job("sync.profile", "acct-never-connected-" + UUID.randomUUID(), "{}");
        String jobId = JSON.readTree(job).get("jobId").asText();

        kafka.send(SYNCS, "acct-never-connected", job);

        ConsumerRecord<String, byte[]> dead = deadLetterOf(jobId);
        assertThat(header(dead, CourierHeaders.ERROR_CLASS)).isEqualTo("INVALID_JOB");
        assertThat(header(dead, CourierHeaders.ERROR_MESSAGE)).startsWith("accountId:");
        // Other tests' jobs may still be calling (their members are named); this job has no token, so a call it made
        // would come without one.
        List<JsonNode> since = new ArrayList<>();
        simulator.requests().forEach(since::add);
        assertThat(since.subList(callsBefore, since.size()))
                .noneMatch(r -> r.path("path").asText().matches("/(rest|v2)/.*")
                        && (r.path("memberId").isNull() || r.path("memberId").isMissingNode()));
    }

    @Test
    void aLinkedInErrorDeadLettersTheJobWithEveryContractHeader() throws Exception {
        Connected account = connect(simulator, """
                {"scopes":["openid","profile"]}""");
        String job = postJob(account, "no permission " + UUID.randomUUID());
        String jobId = JSON.readTree(job).get("jobId").asText();

        kafka.send(POSTS, account.accountId(), job);

        ConsumerRecord<String, byte[]> dead = deadLetterOf(jobId);
        assertThat(text(dead)).isEqualTo(job);
        assertThat(dead.key()).isEqualTo(account.accountId());
        assertThat(header(dead, CourierHeaders.ERROR_CLASS)).isEqualTo("PERMISSION_DENIED");
        assertThat(header(dead, CourierHeaders.HTTP_STATUS)).isEqualTo("403");
        assertThat(header(dead, CourierHeaders.LINKEDIN_CODE)).isEqualTo("ACCESS_DENIED");
        assertThat(header(dead, CourierHeaders.LINKEDIN_SERVICE_ERROR_CODE)).isEqualTo("100");
        assertThat(header(dead, CourierHeaders.LINKEDIN_REQUEST_ID)).isNotBlank();
        assertThat(header(dead, CourierHeaders.ERROR_MESSAGE)).contains("Not enough permissions");
        assertThat(header(dead, CourierHeaders.ATTEMPTS)).isEqualTo("1");
        assertThat(header(dead, CourierHeaders.FIRST_FAILURE_AT)).isNotBlank();
        assertThat(header(dead, CourierHeaders.LAST_FAILURE_AT)).isNotBlank();
        assertThat(header(dead, CourierHeaders.ORIGINAL_TOPIC)).isEqualTo(POSTS);
        assertThat(header(dead, CourierHeaders.ORIGINAL_PARTITION)).matches("\\d+");
        assertThat(header(dead, CourierHeaders.ORIGINAL_OFFSET)).matches("\\d+");
        assertThat(header(dead, CourierHeaders.JOB_TYPE)).isEqualTo("post.create");
        assertThat(header(dead, CourierHeaders.ACCOUNT_ID)).isEqualTo(account.accountId());
        String accessToken = account.member().get("accessToken").asText();
        dead.headers().forEach(h -> assertThat(new String(h.value())).doesNotContain(accessToken));
    }

    @Test
    void noTokenAppearsInAnyLogLineResultOrHeader() throws Exception {
        List<String> logLines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logLines.add(r.getMessage() + " " + java.util.Arrays.toString(r.getParameters())
                        + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger.getLogger("").addHandler(capture);
        try {
            Connected account = connect(simulator, """
                    {"scopes":["openid","profile"]}""");
            String token = account.member().get("accessToken").asText();
            String denied = postJob(account, "canary " + UUID.randomUUID());
            String profile = job("sync.profile", account.accountId(), "{}");
            kafka.send(POSTS, account.accountId(), denied);
            kafka.send(SYNCS, account.accountId(), profile);

            ConsumerRecord<String, byte[]> dead = deadLetterOf(JSON.readTree(denied).get("jobId").asText());
            JsonNode profileResult = resultOf(JSON.readTree(profile).get("jobId").asText());
            JsonNode deniedResult = resultOf(JSON.readTree(denied).get("jobId").asText());

            assertThat(logLines).anyMatch(l -> l.contains("linkedin call failed")).noneMatch(l -> l.contains(token));
            assertThat(profileResult.toString()).doesNotContain(token);
            assertThat(deniedResult.toString()).doesNotContain(token);
            dead.headers().forEach(h -> assertThat(new String(h.value())).doesNotContain(token));
        } finally {
            java.util.logging.Logger.getLogger("").removeHandler(capture);
        }
    }

    @Test
    void countsAndTimesJobsPerTypeAndOutcome() throws Exception {
        Connected account = connect(simulator, "{}");
        String job = job("sync.profile", account.accountId(), "{}");
        kafka.send(SYNCS, account.accountId(), job);
        resultOf(JSON.readTree(job).get("jobId").asText());

        String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
        assertThat(metrics)
                .containsPattern(
                        "courier_jobs_total\\{[^}]*outcome=\"succeeded\"[^}]*type=\"sync.profile\"[^}]*} [1-9]")
                .contains("courier_job_duration_seconds_count{");
    }

    @Test
    void syncJobsFetchWhatTheyAskFor() throws Exception {
        Connected account = connect(simulator, """
                {"adminOf":["urn:li:organization:5515715"]}""");
        for (int i = 0; i < 3; i++) {
            kafka.send(POSTS, account.accountId(), postJob(account, "post " + i + " " + UUID.randomUUID()));
        }
        String profile = job("sync.profile", account.accountId(), "{}");
        String posts = job("sync.posts", account.accountId(), """
                {"author":"%s","pageSize":2}""".formatted(account.memberUrn()));
        String acls = job("sync.org-acls", account.accountId(), "{}");
        String stats = job("sync.org-share-stats", account.accountId(), """
                {"organization":"urn:li:organization:5515715"}""");
        for (String job : List.of(profile, posts, acls, stats)) {
            kafka.send(SYNCS, account.accountId(), job);
        }

        JsonNode profileResult = resultOf(JSON.readTree(profile).get("jobId").asText());
        assertThat(profileResult.at("/data/sub").asText()).isEqualTo(account.member().get("memberId").asText());
        JsonNode postsResult = resultOf(JSON.readTree(posts).get("jobId").asText());
        assertThat(postsResult.at("/data/count").asInt()).isEqualTo(3);
        assertThat(postsResult.at("/data/pages").asInt()).isEqualTo(2);
        assertThat(postsResult.at("/data/complete").asBoolean()).isTrue();
        JsonNode aclResult = resultOf(JSON.readTree(acls).get("jobId").asText());
        assertThat(aclResult.at("/data/organizationAcls/0/organization").asText())
                .isEqualTo("urn:li:organization:5515715");
        JsonNode statsResult = resultOf(JSON.readTree(stats).get("jobId").asText());
        assertThat(statsResult.at("/data/elements/0/totalShareStatistics").isObject()).isTrue();
    }

    @Test
    void jobsOfOneAccountRunInOrderWhileOtherAccountsRunConcurrently() throws Exception {
        simulator.call("POST", "/sim/reset", null); // a fresh maxConcurrent for this test
        simulator.call("PUT", "/sim/latency", """
                {"ms":150}""");
        try {
            Connected first = connect(simulator, "{}");
            Connected second = connect(simulator, "{}");
            java.util.List<String> firstIds = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String job = postJob(first, "ordered " + i + " " + UUID.randomUUID());
                firstIds.add(JSON.readTree(job).get("jobId").asText());
                kafka.send(POSTS, first.accountId(), job);
                kafka.send(POSTS, second.accountId(), postJob(second, "parallel " + i + " " + UUID.randomUUID()));
            }
            List<ConsumerRecord<String, byte[]>> done = kafka.await(RESULTS,
                    r -> first.accountId().equals(r.key()), 4, WAIT);
            List<String> finishedOrder = done.stream().map(r -> {
                try {
                    return JSON.readTree(r.value()).get("jobId").asText();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
            assertThat(finishedOrder).containsExactlyElementsOf(firstIds);
            assertThat(simulator.stats().get("maxConcurrent").asInt()).isGreaterThanOrEqualTo(2);
        } finally {
            simulator.call("PUT", "/sim/latency", """
                    {"ms":0}""");
        }
    }
}
