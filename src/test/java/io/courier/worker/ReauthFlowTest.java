package io.courier.worker;

import static io.courier.testkit.AccountFixtures.calls;
import static io.courier.testkit.AccountFixtures.events;
import static io.courier.testkit.AccountFixtures.importTokens;
import static io.courier.testkit.AccountFixtures.status;
import static io.courier.testkit.AccountFixtures.types;
import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.courier.testkit.SimulatorControl;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Dead grants end to end: jobs parked (not dead-lettered), one event, and back to work after re-authorization. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class ReauthFlowTest extends PipelineTestSupport {

    @Inject
    EntityManager em;

    @Test
    void aRevokedAccountsJobsWaitAndRunInOrderOnceItIsReconnected() throws Exception {
        Connected account = connect(simulator, "{}");
        String memberId = account.member().get("memberId").asText();
        simulator.call("POST", "/sim/members/" + memberId + "/revoke", null);
        String run = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.post", account.accountId(), post(run + "-1", account));

        await().atMost(WAIT)
                .until(() -> types(events(kafka, account.accountId())).contains("courier.account.reauth-required"));
        assertThat(status(account.accountId())).isEqualTo("REAUTH_REQUIRED");
        int postsBefore = calls(simulator, account, "POST", "/rest/posts");
        kafka.send("linkedin.jobs.post", account.accountId(), post(run + "-2", account));
        kafka.send("linkedin.jobs.post", account.accountId(), post(run + "-3", account));
        await().atMost(WAIT).until(() -> parked(account.accountId()) == 3);
        // Parked at once: no call to LinkedIn for a dead grant; nothing dead-lettered.
        assertThat(calls(simulator, account, "POST", "/rest/posts")).isEqualTo(postsBefore);
        assertThat(kafka.readAll("linkedin.jobs.dlq", java.time.Duration.ofSeconds(1)))
                .noneMatch(r -> KafkaTestClient.text(r).contains(run));

        JsonNode reconsented = simulator.newMember("""
                {"memberId":"%s"}""".formatted(memberId));
        importTokens(account.accountId(), reconsented, Instant.parse(reconsented.get("accessTokenExpiresAt").asText()),
                true);
        // Published after the reconnect, before the parked jobs are back on the topic: it runs after them.
        kafka.send("linkedin.jobs.post", account.accountId(), post(run + "-4", account));

        List<String> finished = kafka
                .await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains(run), 4, WAIT)
                .stream().map(r -> jobId(KafkaTestClient.text(r))).toList();
        assertThat(finished).containsExactly(run + "-1", run + "-2", run + "-3", run + "-4");
        assertThat(status(account.accountId())).isEqualTo("CONNECTED");
        var events = events(kafka, account.accountId());
        assertThat(types(events)).containsExactly("courier.account.reauth-required", "courier.account.reauth-resolved");
        assertThat(events.get(1).get("data").get("parkedJobs").asInt()).isEqualTo(3);
        assertThat(parked(account.accountId())).isZero();
    }

    @Test
    void anExpiredTokenWithoutRefreshTokenParksWithoutCallingLinkedIn() throws Exception {
        Connected account = connect(simulator, """
                {"refreshToken":false}""");
        importTokens(account.accountId(), account.member(), Instant.now().minusSeconds(60), false);
        kafka.send("linkedin.jobs.post", account.accountId(), post(UUID.randomUUID().toString(), account));

        await().atMost(WAIT).until(() -> parked(account.accountId()) == 1);
        assertThat(calls(simulator, account, "POST", "/rest/posts")).isZero();
        await().atMost(WAIT).until(() -> !events(kafka, account.accountId()).isEmpty());
        JsonNode event = events(kafka, account.accountId()).getFirst();
        assertThat(event.get("type").asText()).isEqualTo("courier.account.reauth-required");
        assertThat(event.get("data").get("reason").asText()).contains("no refresh token");
    }

    @Test
    void aJobParkedLongerThanTheMaximumIsDeadLettered() throws Exception {
        Connected account = connect(simulator, """
                {"refreshToken":false}""");
        importTokens(account.accountId(), account.member(), Instant.now().minusSeconds(60), false);
        String jobId = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.post", account.accountId(), post(jobId, account));
        await().atMost(WAIT).until(() -> parked(account.accountId()) == 1);

        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update parked_job set parked_at = parked_at - interval '8 days' where account_id = ?1")
                .setParameter(1, account.accountId()).executeUpdate());

        var dead = kafka.await("linkedin.jobs.dlq", r -> KafkaTestClient.text(r).contains(jobId), 1, WAIT).getFirst();
        assertThat(KafkaTestClient.header(dead, "courier-error-class")).isEqualTo("REAUTH_REQUIRED");
        assertThat(KafkaTestClient.header(dead, "courier-error-message")).contains("courier.tokens.max-park");
        assertThat(KafkaTestClient.header(dead, "courier-original-topic")).isEqualTo("linkedin.jobs.post");
        assertThat(KafkaTestClient.text(dead)).isEqualTo(post(jobId, account)); // original bytes
        assertThat(resultOf(jobId).get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(parked(account.accountId())).isZero();
    }

    @Test
    void anExpiredAccessTokenIsRefreshedOnceAndTheJobRetriedAtOnce() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault(SimulatorControl.EXPIRED_ACCESS_TOKEN_ON_POST);
        String jobId = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.post", account.accountId(), post(jobId, account));

        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(calls(simulator, account, "POST", "/oauth/v2/accessToken")).isEqualTo(1);
        assertThat(calls(simulator, account, "POST", "/rest/posts")).isEqualTo(2);
    }

    private long parked(String accountId) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from parked_job where account_id = ?1").setParameter(1, accountId).getSingleResult())
                .longValue());
    }

    private static String post(String jobId, Connected account) {
        return job(jobId, "post.create", account.accountId(),
                """
                        {"author":"%s","commentary":"hello %s"}""".formatted(account.memberUrn(), jobId));
    }

    private static String jobId(String resultJson) {
        try {
            return JSON.readTree(resultJson).get("jobId").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
