package io.courier.worker;

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
import io.courier.testkit.AccountFixtures;
import io.courier.testkit.ConnectedAccounts;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * No output is larger than Kafka takes (issue #14, point 4): a large sync result arrives as a sequence of parts,
 * a dead letter too large for Kafka keeps its whole original in PostgreSQL, and the jobs beside them go on.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class LargeOutputsTest extends PipelineTestSupport {

    static final String POSTS = "linkedin.jobs.post";
    static final String SYNCS = "linkedin.jobs.sync";
    static final String RESULTS = "linkedin.jobs.results";
    static final String DLQ = "linkedin.jobs.dlq";
    static final int ONE_MIB = 1024 * 1024;
    /** Jobs beside the big one must not wait for it: well inside WAIT, far below an abort-and-rewind loop. */
    static final Duration PROMPTLY = Duration.ofSeconds(20);

    @Inject
    Admin admin;
    @ConfigProperty(name = "courier.linkedin.version")
    String linkedInVersion;

    @Test
    void aSyncOfThreeThousandPostsArrivesAsOneSequenceOfPartsWhileTheJobsBesideItSucceed() throws Exception {
        Connected author = connect(simulator, "{}");
        AccountFixtures.createPosts(simulatorUrl, linkedInVersion, author, 3000, 1000); // about 3.6 MB of posts:
                                                                                        // several times what one record
                                                                                        // may hold
        List<Connected> neighbours = connectedOnPartitionOf(SYNCS, author.accountId(), 2);
        List<Connected> posters = List.of(connect(simulator, "{}"), connect(simulator, "{}"), connect(simulator, "{}"));

        // Default pageSize 50: 60 pages, inside courier.worker.max-sync-pages (100), so the sync is complete.
        String sync = job("sync.posts", author.accountId(), """
                {"author":"%s"}""".formatted(author.memberUrn()));
        String syncId = JSON.readTree(sync).get("jobId").asText();
        Instant published = Instant.now();
        kafka.send(SYNCS, author.accountId(), sync);
        List<String> besides = new ArrayList<>();
        for (Connected n : neighbours) { // after the sync, on its partition
            String profile = job("sync.profile", n.accountId(), "{}");
            kafka.send(SYNCS, n.accountId(), profile);
            besides.add(JSON.readTree(profile).get("jobId").asText());
        }
        for (Connected p : posters) { // same poll loop, same transactions
            String post = job("post.create", p.accountId(), """
                    {"author":"%s","commentary":"beside a big sync %s"}""".formatted(p.memberUrn(), UUID.randomUUID()));
            kafka.send(POSTS, p.accountId(), post);
            besides.add(JSON.readTree(post).get("jobId").asText());
        }

        for (String jobId : besides) {
            JsonNode result = resultOf(jobId);
            assertThat(result.get("status").asText()).as(jobId).isEqualTo("SUCCEEDED");
            assertThat(Duration.between(published, Instant.parse(result.get("finishedAt").asText())))
                    .isLessThan(PROMPTLY);
        }

        List<ConsumerRecord<String, byte[]>> parts = partsOf(syncId, 1);
        int n = parts.size();
        assertThat(n).as("3.6 MB of posts cannot fit in one 1 MiB record").isGreaterThanOrEqualTo(4);
        List<String> postIds = new ArrayList<>();
        for (int k = 1; k <= n; k++) {
            ConsumerRecord<String, byte[]> record = parts.get(k - 1);
            assertThat(sizeOf(record)).as("part %d", k).isLessThanOrEqualTo(ONE_MIB);
            assertThat(record.key()).isEqualTo(author.accountId());
            JsonNode part = JSON.readTree(record.value());
            assertThat(part.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(part.get("part").asInt()).isEqualTo(k);
            assertThat(part.get("parts").asInt()).isEqualTo(n);
            assertThat(part.path("final").asBoolean(false)).as("only the last part is final").isEqualTo(k == n);
            assertThat(part.at("/data/count").asInt()).isEqualTo(3000);
            assertThat(part.at("/data/pages").asInt()).isEqualTo(60);
            assertThat(part.at("/data/complete").asBoolean()).isTrue();
            part.at("/data/posts").forEach(p -> postIds.add(p.get("id").asText()));
        }
        List<String> expected = new ArrayList<>();
        simulator.call("GET", "/sim/posts?author=" + author.memberUrn(), null)
                .forEach(p -> expected.add(p.get("id").asText()));
        assertThat(postIds).as("every post once, in LinkedIn's order").hasSize(3000).isEqualTo(expected);

        // A job that already succeeded is not run again: its stored result is re-emitted, as the same parts.
        kafka.send(SYNCS, author.accountId(), sync);
        List<ConsumerRecord<String, byte[]>> both = partsOf(syncId, 2);
        for (int k = 0; k < n; k++) {
            assertThat(text(both.get(n + k))).as("re-emitted part %d", k + 1).isEqualTo(text(both.get(k)));
        }
        assertThat(kafka.readAll(DLQ, Duration.ofSeconds(1)))
                .noneMatch(r -> syncId.equals(header(r, CourierHeaders.JOB_ID)));
    }

    @Test
    void aDeadLetterTooLargeForKafkaKeepsTheWholeOriginalInPostgreSQLAndSendsAMarkedCopy() throws Exception {
        Connected account = connect(simulator, "{}");
        // Kafka takes this record (just under 1 MiB), but not with the dead letter's failure headers added.
        String head = job(UUID.randomUUID().toString(), "post.create", account.accountId(),
                """
                        {"author":"%s","commentary":\"""".formatted(account.memberUrn()));
        String original = head.substring(0, head.length() - 1) + "x".repeat(ONE_MIB - 400 - head.length()) + "\"}}";
        kafka.send(POSTS, account.accountId(), original.getBytes(StandardCharsets.UTF_8));
        Instant published = Instant.now();
        String next = job("post.create", account.accountId(), """
                {"author":"%s",\
                "commentary":"after a huge record %s"}""".formatted(account.memberUrn(), UUID.randomUUID()));
        kafka.send(POSTS, account.accountId(), next);

        JsonNode nextResult = resultOf(JSON.readTree(next).get("jobId").asText());
        assertThat(nextResult.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(Duration.between(published, Instant.parse(nextResult.get("finishedAt").asText())))
                .isLessThan(PROMPTLY);

        ConsumerRecord<String, byte[]> dead = kafka.await(DLQ, r -> account.accountId().equals(r.key()), 1, WAIT)
                .get(0);
        assertThat(sizeOf(dead)).isLessThanOrEqualTo(ONE_MIB);
        assertThat(header(dead, CourierHeaders.ERROR_CLASS)).isEqualTo("INVALID_JOB");
        assertThat(header(dead, CourierHeaders.ORIGINAL_TOPIC)).isEqualTo(POSTS);
        assertThat(original).as("the copy is the original's beginning").startsWith(text(dead)).isNotEqualTo(text(dead));
        long id = Long.parseLong(header(dead, CourierHeaders.TRUNCATED));

        // The indexer links the row the worker wrote to this record instead of indexing a second one.
        await().atMost(WAIT).untilAsserted(() -> assertThat(deadLetter(id).getString("state")).isEqualTo("NEW"));
        JsonPath row = deadLetter(id);
        assertThat(row.getLong("dlq.offset")).isEqualTo(dead.offset());
        assertThat(row.getInt("dlq.partition")).isEqualTo(dead.partition());
        assertThat(row.getString("errorClass")).isEqualTo("INVALID_JOB");
        assertThat(row.getString("payload")).as("the whole original").isEqualTo(original);
        assertThat(row.getString("key")).isEqualTo(account.accountId());
        assertThat(row.getString("headers.courier-error-class")).isEqualTo("INVALID_JOB");
        assertThat(rowsIndexedFor(id, dead)).isEqualTo(1);
        assertThat(given().auth().oauth2(ADMIN_TOKEN).get("/admin/dead-letters?ids=" + id).then().statusCode(200)
                .extract().jsonPath().getList("items")).hasSize(1);
    }

    private JsonPath deadLetter(long id) {
        return given().auth().oauth2(ADMIN_TOKEN).get("/admin/dead-letters/" + id).then().statusCode(200).extract()
                .jsonPath();
    }

    /** Rows of this DLQ record: same topic id (offsets restart when an earlier test broker's topic is gone). */
    private int rowsIndexedFor(long id, ConsumerRecord<String, byte[]> dead) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement("""
                select count(*) from dead_letter where dlq_partition = ? and dlq_offset = ?
                    and dlq_topic_id = (select dlq_topic_id from dead_letter where id = ?)""")) {
            select.setInt(1, dead.partition());
            select.setLong(2, dead.offset());
            select.setLong(3, id);
            try (ResultSet r = select.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    /** The result records of a job, waiting until {@code emissions} complete sequences (each ending final) arrived. */
    private List<ConsumerRecord<String, byte[]>> partsOf(String jobId, int emissions) throws Exception {
        String marker = "\"jobId\":\"" + jobId + "\"";
        ConsumerRecord<String, byte[]> first = kafka.await(RESULTS, r -> text(r).contains(marker), 1, WAIT).get(0);
        int parts = JSON.readTree(first.value()).path("parts").asInt(1);
        return kafka.await(RESULTS, r -> text(r).contains(marker), parts * emissions, WAIT);
    }

    /** What the producer counts against max.request.size, near enough: key, value and headers. */
    private static int sizeOf(ConsumerRecord<String, byte[]> record) {
        int size = Math.max(record.serializedKeySize(), 0) + Math.max(record.serializedValueSize(), 0);
        for (Header h : record.headers()) {
            size += h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    /** Connected accounts whose key Kafka's default partitioner puts on the same partition as {@code key}. */
    private List<Connected> connectedOnPartitionOf(String topic, String key, int count) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        return ConnectedAccounts.onPartitionOf(simulator, key, partitions, count);
    }
}
