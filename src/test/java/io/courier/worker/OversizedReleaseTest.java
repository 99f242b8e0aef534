package io.courier.worker;

import static io.courier.testkit.AccountFixtures.importTokens;
import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A parked job that cannot go back to its topic (larger than Kafka takes: a row from before a lower
 * courier.kafka.max-request-size, or one grown by its headers) is dead-lettered on its own when its account is
 * re-authorized; the jobs parked with it are released and run. It used to fail its whole batch, every 500 ms, for ever.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class OversizedReleaseTest extends PipelineTestSupport {

    @Test
    void anOversizedParkedJobIsDeadLetteredAloneAndTheOthersAreReleased() throws Exception {
        Connected account = connect(simulator, "{}");
        setStatus(account.accountId(), "REAUTH_REQUIRED");
        String before = "rel-" + UUID.randomUUID();
        String big = "rel-big-" + UUID.randomUUID();
        String after = "rel-" + UUID.randomUUID();
        for (String jobId : new String[] {before, big, after}) {
            kafka.send("linkedin.jobs.sync", account.accountId(),
                    job(jobId, "sync.profile", account.accountId(), "{}"));
        }
        await().atMost(WAIT).until(() -> parked(account.accountId()) == 3);
        byte[] huge = new byte[1_200_000];
        Arrays.fill(huge, (byte) ' ');
        byte[] json = job(big, "sync.profile", account.accountId(), "{}").getBytes();
        System.arraycopy(json, 0, huge, 0, json.length);
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "update parked_job set record_value = ? where job_id = ?")) {
            s.setBytes(1, huge);
            s.setString(2, big);
            assertThat(s.executeUpdate()).isOne();
        }

        importTokens(account.accountId(), account.member(), Instant.now().plus(Duration.ofDays(30)), true);

        assertThat(resultOf(before).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(resultOf(after).get("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode dead = resultOf(big);
        assertThat(dead.get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(dead.get("errorClass").asText()).isEqualTo("INTERNAL");
        assertThat(dead.get("errorMessage").asText()).contains("courier.kafka.max-request-size")
                .contains("re-authorization");
        await().atMost(WAIT).until(() -> parked(account.accountId()) == 0);
    }

    private void setStatus(String accountId, String status) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "update account set status = ? where id = ?")) {
            s.setString(1, status);
            s.setString(2, accountId);
            s.executeUpdate();
        }
    }

    private long parked(String accountId) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "select count(*) from parked_job where account_id = ?")) {
            s.setString(1, accountId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
