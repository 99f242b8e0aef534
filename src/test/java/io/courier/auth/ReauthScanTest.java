package io.courier.auth;

import static io.courier.testkit.AccountFixtures.events;
import static io.courier.testkit.AccountFixtures.status;
import static io.courier.testkit.AccountFixtures.types;
import static io.courier.testkit.ConnectedAccounts.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** reauth-soon once per threshold, dead grants found by the scan, and one scan across pods. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class ReauthScanTest extends PipelineTestSupport {

    @Inject
    ReauthScan scan;
    @Inject
    EntityManager em;

    @Test
    void warnsOncePerThresholdBeforeTheRefreshTokenEnds() throws Exception {
        Connected account = connect(simulator, "{}");
        setRefreshEnd(account.accountId(), Instant.now().plus(Duration.ofDays(20)));

        assertThat(scan.scan().ran()).isTrue();
        scan.scan(); // again: nothing new
        await().atMost(WAIT).until(() -> !events(kafka, account.accountId()).isEmpty());
        List<JsonNode> first = events(kafka, account.accountId());
        assertThat(types(first)).containsExactly("courier.account.reauth-soon");
        assertThat(first.getFirst().get("data").get("refreshTokenExpiresAt").asText()).isNotBlank();

        setRefreshEnd(account.accountId(), Instant.now().plus(Duration.ofDays(5)));
        scan.scan();
        scan.scan();
        await().atMost(WAIT).until(() -> events(kafka, account.accountId()).size() == 2);
        assertThat(types(events(kafka, account.accountId())))
                .containsExactly("courier.account.reauth-soon", "courier.account.reauth-soon");
        assertThat(status(account.accountId())).isEqualTo("CONNECTED");
    }

    @Test
    void aFirstScanInsideTheLastWeekSendsOnlyTheTighterWarning() throws Exception {
        Connected account = connect(simulator, "{}");
        setRefreshEnd(account.accountId(), Instant.now().plus(Duration.ofDays(3)));
        scan.scan();
        scan.scan();
        await().atMost(WAIT).until(() -> !events(kafka, account.accountId()).isEmpty());
        assertThat(events(kafka, account.accountId())).hasSize(1);
        assertThat(events(kafka, account.accountId()).getFirst().get("data").get("reason").asText())
                .contains("in 2 days");
    }

    @Test
    void anEndedRefreshWindowIsADeadGrantWithoutAnyJob() throws Exception {
        Connected account = connect(simulator, "{}");
        setRefreshEnd(account.accountId(), Instant.now().minusSeconds(5));
        scan.scan();
        assertThat(status(account.accountId())).isEqualTo("REAUTH_REQUIRED");
        await().atMost(WAIT).until(() -> !events(kafka, account.accountId()).isEmpty());
        assertThat(types(events(kafka, account.accountId()))).containsExactly("courier.account.reauth-required");
    }

    @Test
    void concurrentScansOnTwoPodsRunOnce() throws Exception {
        Connected account = connect(simulator, "{}");
        setRefreshEnd(account.accountId(), Instant.now().plus(Duration.ofDays(25)));
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<ReauthScan.Result> a = threads.submit(scan::scan);
            Future<ReauthScan.Result> b = threads.submit(scan::scan);
            a.get();
            b.get();
        }
        await().atMost(WAIT).until(() -> !events(kafka, account.accountId()).isEmpty());
        assertThat(events(kafka, account.accountId())).hasSize(1);
    }

    private void setRefreshEnd(String accountId, Instant end) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update account_token set refresh_token_expires_at = ?1 where account_id = ?2")
                .setParameter(1, Timestamp.from(end)).setParameter(2, accountId).executeUpdate());
    }
}
