package io.courier.ops;

import static io.courier.testkit.ConnectedAccounts.ADMIN_TOKEN;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Whatever sits on the dead-letter topic (a producer wrote it there by hand, an older Courier, a broken tool), the
 * indexer gives it a row and goes on to the next record: clipped and cleaned where that is enough, a degraded row
 * (raw bytes and the reason) where it is not. One record never stops indexing.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class DeadLetterIndexingTest extends PipelineTestSupport {

    @Inject
    Admin admin;

    @Test
    void everyHostileRecordIsIndexedAndTheIndexerGoesOn() throws Exception {
        String run = UUID.randomUUID().toString();
        Map<String, RecordHeaders> cases = new LinkedHashMap<>();
        cases.put("wide-type", headers(run, "courier-job-type", "t".repeat(70), "courier-error-class", "X".repeat(80)));
        cases.put("nul",
                headers(run, "courier-account-id", "acct\u0000nul", "courier-error-message", "nul \u0000 inside"));
        cases.put("offset-not-a-number", headers(run, "courier-original-offset", "12abc", "courier-original-partition",
                "-x", "courier-attempts", "99999999999", "courier-truncated", "not-a-row"));
        RecordHeaders unparseable = headers(run);
        unparseable.add("courier-job-type", new byte[] {(byte) 0xff, (byte) 0xfe, 0, (byte) 0xc3});
        cases.put("unparseable", unparseable);
        // Instant.parse reads it; PostgreSQL's timestamptz ends in the year 294276: such a row was refused, its batch
        // too.
        cases.put("time-out-of-range", headers(run, "courier-first-failure-at", "+5000000-01-01T00:00:00Z",
                "courier-last-failure-at", "-4000000-01-01T00:00:00Z"));
        cases.put("after-them", headers(run));

        String topicId = admin.describeTopics(List.of("linkedin.jobs.dlq")).allTopicNames().get()
                .get("linkedin.jobs.dlq").topicId().toString();
        Map<String, RecordMetadata> sent = new LinkedHashMap<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
                new ByteArraySerializer())) {
            for (var c : cases.entrySet()) {
                byte[] value = c.getKey().equals("unparseable")
                        ? new byte[] {(byte) 0xff, 0, (byte) 0x80, '{'}
                        : ("""
                                {"case":"%s"}""".formatted(c.getKey())).getBytes(StandardCharsets.UTF_8);
                String key = c.getKey().equals("nul") ? "key\u0000" + run : run;
                sent.put(c.getKey(),
                        producer.send(new ProducerRecord<>("linkedin.jobs.dlq", null, key, value, c.getValue())).get());
            }
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(indexed(topicId, sent.get("after-them"))).isPresent());
        for (var c : sent.entrySet()) {
            assertThat(indexed(topicId, c.getValue())).as(c.getKey()).isPresent();
        }
        Row wide = indexed(topicId, sent.get("wide-type")).orElseThrow();
        assertThat(wide.jobType).isEqualTo("t".repeat(64));
        assertThat(indexed(topicId, sent.get("nul")).orElseThrow().accountId).isEqualTo("acct\uFFFDnul");
        assertThat(indexed(topicId, sent.get("offset-not-a-number")).orElseThrow().indexError).isNull();
        assertThat(indexed(topicId, sent.get("unparseable")).orElseThrow().value)
                .containsExactly((byte) 0xff, 0, (byte) 0x80, '{');
        Row degraded = indexed(topicId, sent.get("time-out-of-range")).orElseThrow();
        assertThat(degraded.indexError).contains("out of range");
        assertThat(degraded.value).isEqualTo("""
                {"case":"time-out-of-range"}""".getBytes(StandardCharsets.UTF_8));

        // The degraded row is listed like any other, with the reason, and its original bytes can be read.
        JsonPath list = given().auth().oauth2(ADMIN_TOKEN).queryParam("ids", degraded.id).get("/admin/dead-letters")
                .then().statusCode(200).extract().jsonPath();
        assertThat(list.getList("items")).hasSize(1);
        assertThat(list.getString("items[0].indexError")).contains("out of range");
        assertThat(list.getString("items[0].message")).contains("out of range");
    }

    @Test
    void theLagGaugesShowAStuckIndexerAndReturnToZeroOnceItCatchesUp() throws Exception {
        await().atMost(WAIT).until(() -> gauge("courier_dlq_indexer_lag_records") == 0);
        String run = UUID.randomUUID().toString();
        List<RecordMetadata> sent = new ArrayList<>();
        // The indexer's inserts wait behind this lock, as behind a PostgreSQL that hangs: nothing gets indexed.
        try (Connection lock = db.getConnection()) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("lock table dead_letter in exclusive mode");
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < 3; i++) {
                    sent.add(producer.send(
                            new ProducerRecord<>("linkedin.jobs.dlq", null, run, "{}".getBytes(StandardCharsets.UTF_8),
                                    headers(run)))
                            .get());
                }
            }
            await().atMost(WAIT).until(() -> gauge("courier_dlq_indexer_lag_records") >= 3);
            await().atMost(WAIT).until(() -> gauge("courier_dlq_indexer_lag_seconds") >= 2);
            lock.rollback();
        }
        await().atMost(WAIT).until(() -> gauge("courier_dlq_indexer_lag_records") == 0);
        assertThat(gauge("courier_dlq_indexer_lag_seconds")).isZero();
        String topicId = admin.describeTopics(List.of("linkedin.jobs.dlq")).allTopicNames().get()
                .get("linkedin.jobs.dlq").topicId().toString();
        for (RecordMetadata at : sent) {
            assertThat(indexed(topicId, at)).isPresent();
        }
    }

    private static double gauge(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "(\\{[^}]*})? (\\S+)$")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(2)) : -1;
    }

    private static RecordHeaders headers(String run, String... pairs) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("courier-job-id", ("hostile-" + run).getBytes(StandardCharsets.UTF_8));
        headers.add("courier-error-class", "BAD_REQUEST".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < pairs.length; i += 2) {
            headers.remove(pairs[i]);
            headers.add(pairs[i], pairs[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    private record Row(long id, String jobType, String accountId, String indexError, byte[] value) {}

    private Optional<Row> indexed(String topicId, RecordMetadata at) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                select id, job_type, account_id, index_error, record_value from dead_letter
                where dlq_topic_id = ? and dlq_partition = ? and dlq_offset = ?""")) {
            s.setString(1, topicId);
            s.setInt(2, at.partition());
            s.setLong(3, at.offset());
            try (ResultSet r = s.executeQuery()) {
                List<Row> rows = new ArrayList<>();
                while (r.next()) {
                    rows.add(new Row(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getBytes(5)));
                }
                return rows.stream().findFirst();
            }
        }
    }
}
