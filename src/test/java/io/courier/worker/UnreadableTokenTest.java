package io.courier.worker;

import static io.courier.testkit.AccountFixtures.calls;
import static io.courier.testkit.AccountFixtures.events;
import static io.courier.testkit.AccountFixtures.importTokens;
import static io.courier.testkit.AccountFixtures.status;
import static io.courier.testkit.AccountFixtures.types;
import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.courier.testkit.KafkaTestClient.text;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.spec.GCMParameterSpec;
import org.junit.jupiter.api.Test;

/**
 * A stored token no configured key decrypts (its key was rotated away, or replaced under the same id): the account
 * needs re-authorization, said once, and its jobs are parked, not retried in a loop.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class UnreadableTokenTest extends PipelineTestSupport {

    @Inject
    EntityManager em;

    @Test
    void aTokenSealedWithAKeyCourierDoesNotHaveMakesTheAccountReauthRequiredAndParksTheJob() throws Exception {
        Connected account = connect(simulator, "{}");
        try {
            // As after a rotation that dropped the old key: the row names a key id Courier has no key for.
            sql("update account_token set key_id = 'k-rotated-away' where account_id = ?1", account.accountId());
            String jobId = UUID.randomUUID().toString();
            kafka.send("linkedin.jobs.post", account.accountId(), post(jobId, account));

            await().atMost(WAIT).until(() -> parked(account.accountId()) == 1);
            assertThat(status(account.accountId())).isEqualTo("REAUTH_REQUIRED");
            assertOneReauthRequiredEventNaming(account, "k-rotated-away");
            assertParkedAndQuiet(account, jobId);

            // Reconnecting recovers it, even by an import without a refresh token (the unreadable one is dropped).
            importTokens(account.accountId(), account.member(), Instant.now().plus(Duration.ofDays(30)), false);
            assertThat(resultOf(jobId).get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(status(account.accountId())).isEqualTo("CONNECTED");
        } finally {
            // A row under a key id Courier lacks stops every later start (TokenKeys): never leave one behind.
            sql("delete from account_token where account_id = ?1 and key_id = 'k-rotated-away'", account.accountId());
        }
    }

    @Test
    void aRefreshTokenSealedWithAnotherKeyUnderTheCurrentIdIsTreatedTheSame() throws Exception {
        Connected account = connect(simulator, "{}");
        // The access token is readable but expired; the refresh token was sealed with a key Courier does not have.
        String keyId = QuarkusTransaction.requiringNew().call(() -> (String) em.createNativeQuery(
                "select key_id from account_token where account_id = ?1").setParameter(1, account.accountId())
                .getSingleResult());
        byte[] foreign = sealWithAForeignKey("AQX-some-refresh-token", account.accountId() + "\u0000refresh_token");
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                        update account_token set refresh_token = ?1, access_token_expires_at = now() - interval '1 minute'
                        where account_id = ?2""")
                .setParameter(1, foreign).setParameter(2, account.accountId()).executeUpdate());
        String jobId = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.post", account.accountId(), post(jobId, account));

        await().atMost(WAIT).until(() -> parked(account.accountId()) == 1);
        assertThat(status(account.accountId())).isEqualTo("REAUTH_REQUIRED");
        assertOneReauthRequiredEventNaming(account, keyId);
        assertThat(calls(simulator, account, "POST", "/oauth/v2/accessToken")).isZero();
        assertParkedAndQuiet(account, jobId);
    }

    private void assertOneReauthRequiredEventNaming(Connected account, String keyId) {
        await().atMost(WAIT).until(() -> !events(kafka, account.accountId()).isEmpty());
        List<JsonNode> events = events(kafka, account.accountId());
        assertThat(types(events)).containsExactly("courier.account.reauth-required");
        assertThat(events.getFirst().get("data").get("reason").asText()).contains("'" + keyId + "'")
                .contains("decrypt");
    }

    /** Parked, not run, not dead-lettered, and it stays so: no loop re-running it. */
    private void assertParkedAndQuiet(Connected account, String jobId) {
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> parked(account.accountId()) == 1);
        assertThat(calls(simulator, account, "POST", "/rest/posts")).isZero();
        assertThat(kafka.readAll("linkedin.jobs.dlq", Duration.ofSeconds(1))).noneMatch(r -> text(r).contains(jobId));
        assertThat(kafka.readAll("linkedin.jobs.results", Duration.ofSeconds(1)))
                .noneMatch(r -> text(r).contains(jobId));
        assertThat(types(events(kafka, account.accountId()))).containsExactly("courier.account.reauth-required");
    }

    /** nonce ‖ AES-256-GCM(ciphertext ‖ tag), as TokenCipher writes it, but under a key of our own. */
    private static byte[] sealWithAForeignKey(String plaintext, String aad) throws Exception {
        KeyGenerator keys = KeyGenerator.getInstance("AES");
        keys.init(256);
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, keys.generateKey(), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
        byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
    }

    private void sql(String statement, String parameter) {
        QuarkusTransaction.requiringNew()
                .run(() -> em.createNativeQuery(statement).setParameter(1, parameter).executeUpdate());
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
}
