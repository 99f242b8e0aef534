package io.courier.ops;

import static io.courier.testkit.ConnectedAccounts.ADMIN_TOKEN;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A replay batch with one dead letter larger than Kafka takes (a job record kept whole in PostgreSQL, see
 * DeadLetterWriter): the others are sent, that one is reported with the reason and stays NEW. It used to end the
 * replay with a 500 at that row, leaving the rows after it unsent.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class OversizedReplayTest extends PipelineTestSupport {

    @Test
    void theOthersAreReplayedAndTheOversizedOneIsReportedAlone() throws Exception {
        String account = "replay-big-" + UUID.randomUUID();
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String jobId = "replay-big-" + i + "-" + UUID.randomUUID();
            jobs.add(jobId);
            kafka.send("linkedin.jobs.sync", account, job(jobId, "sync.profile", account, "{}")); // unknown account:
                                                                                                  // DLQ
        }
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> ids(account).size() == 3);
        List<Long> ids = ids(account);
        long big = ids.get(1); // oldest first: the row in the middle of the replay
        byte[] huge = new byte[1_200_000];
        Arrays.fill(huge, (byte) 'x');
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "update dead_letter set record_value = ? where id = ?")) {
            s.setBytes(1, huge);
            s.setLong(2, big);
            assertThat(s.executeUpdate()).isOne();
        }

        JsonPath report = given().auth().oauth2(ADMIN_TOKEN)
                .contentType("application/json")
                .body("""
                        {"filter":{"accountId":"%s"},"limit":10,"dryRun":false}""".formatted(account))
                .post("/admin/dead-letters/replay").then().statusCode(200).extract().jsonPath();

        assertThat(report.getInt("replayed")).isEqualTo(2);
        assertThat(report.getList("ids", Long.class)).containsExactly(ids.get(0), ids.get(2));
        assertThat(report.getList("notSent.id", Long.class)).containsExactly(big);
        assertThat(report.getString("notSent[0].reason")).contains("courier.kafka.max-request-size");
        var replayed = kafka.await("linkedin.jobs.sync", r -> KafkaTestClient.text(r).contains(account)
                && "1".equals(KafkaTestClient.header(r, "courier-replay-count")), 2, WAIT);
        assertThat(replayed).extracting(KafkaTestClient::text).anyMatch(t -> t.contains(jobs.get(0)))
                .anyMatch(t -> t.contains(jobs.get(2))).noneMatch(t -> t.contains(jobs.get(1)));
        assertThat(given().auth().oauth2(ADMIN_TOKEN).get("/admin/dead-letters/{id}", big).then().statusCode(200)
                .extract().jsonPath().getString("state")).isEqualTo("NEW");
    }

    /** This account's NEW dead letters, oldest first. */
    private static List<Long> ids(String account) {
        List<Long> ids = new ArrayList<>(given().auth().oauth2(ADMIN_TOKEN).queryParam("accountId", account)
                .queryParam("state", "NEW").get("/admin/dead-letters").then().statusCode(200).extract().jsonPath()
                .getList("items.id", Long.class));
        ids.sort(null);
        return ids;
    }
}
