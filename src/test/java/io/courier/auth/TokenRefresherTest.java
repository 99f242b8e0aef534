package io.courier.auth;

import static io.courier.testkit.AccountFixtures.calls;
import static io.courier.testkit.AccountFixtures.events;
import static io.courier.testkit.AccountFixtures.importTokens;
import static io.courier.testkit.AccountFixtures.status;
import static io.courier.testkit.AccountFixtures.types;
import static io.courier.testkit.ConnectedAccounts.connect;
import static io.restassured.RestAssured.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.auth.TokenStore.AccessGrant;
import io.courier.linkedin.BearerToken;
import io.courier.linkedin.LinkedInConfig;
import io.courier.linkedin.LinkedInOAuthClient;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.Overrides;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Token refresh across "pods": the application's refresher plus refreshers built by hand on the same PostgreSQL,
 * Redis and simulator, as another process would have them.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class TokenRefresherTest extends PipelineTestSupport {

    @Inject
    TokenRefresher refresher;
    @Inject
    TokenStore tokens;
    @Inject
    LinkedInOAuthClient oauth;
    @Inject
    RedissonClient redisson;
    @Inject
    AppCredentialsGuard appCredentials;
    @Inject
    Clock clock;
    @Inject
    ObjectMapper json;
    @Inject
    TokenLifecycleConfig lifecycle;
    @Inject
    LinkedInConfig linkedInConfig;

    @Test
    void manyWorkersOnTwoPodsRefreshOnce() throws Exception {
        Connected account = connect(simulator, "{}");
        importTokens(account.accountId(), account.member(), Instant.now().plus(Duration.ofHours(1)), true);
        AccessGrant seen = tokens.stored(account.accountId()).orElseThrow().grant();
        assertThat(refresher.dueForRefresh(seen)).isTrue();
        TokenRefresher otherPod = new TokenRefresher(tokens, oauth, redisson, appCredentials, clock, lifecycle);

        List<Callable<AccessGrant>> workers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            TokenRefresher pod = i % 2 == 0 ? refresher : otherPod;
            workers.add(() -> pod.refresh(account.accountId(), seen.version()));
        }
        Set<Long> versions = ConcurrentHashMap.newKeySet();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<AccessGrant> f : threads.invokeAll(workers)) {
                AccessGrant g = f.get();
                versions.add(g.version());
                assertThat(g.expiresAt()).isAfter(Instant.now().plus(Duration.ofDays(59)));
            }
        }
        assertThat(calls(simulator, account, "POST", "/oauth/v2/accessToken")).isEqualTo(1);
        assertThat(versions).containsExactly(seen.version() + 1);
        // The new token works against LinkedIn.
        assertThat(tokens.stored(account.accountId()).orElseThrow().grant().expiresAt())
                .isAfter(Instant.now().plus(Duration.ofDays(59)));
    }

    @Test
    void aStalledHolderWhoseLeaseRanOutCannotOverwriteTheNewerToken() throws Exception {
        Connected account = connect(simulator, "{}");
        importTokens(account.accountId(), account.member(), Instant.now().plus(Duration.ofHours(1)), true);
        long readVersion = tokens.stored(account.accountId()).orElseThrow().grant().version();
        TokenLifecycleConfig shortLease = Overrides.of(TokenLifecycleConfig.class,
                Map.of("courier.tokens.lock-lease", "1s", "courier.tokens.lock-wait", "10s"));
        List<String> stalledGot = new java.util.concurrent.CopyOnWriteArrayList<>();
        LinkedInOAuthClient stalling = new LinkedInOAuthClient(linkedInConfig, clock, json) {
            @Override
            public Tokens refresh(BearerToken refreshToken) {
                Tokens fresh = super.refresh(refreshToken);
                stalledGot.add(fresh.accessToken());
                sleep(Duration.ofMillis(3000)); // a GC pause or a partition: the 1 s lease runs out meanwhile
                return fresh;
            }
        };
        TokenRefresher stalledPod = new TokenRefresher(tokens, stalling, redisson, appCredentials, clock, shortLease);
        TokenRefresher healthyPod = new TokenRefresher(tokens, oauth, redisson, appCredentials, clock, shortLease);

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<AccessGrant> stalled = threads.submit(() -> stalledPod.refresh(account.accountId(), readVersion));
            await().atMost(Duration.ofSeconds(10)).until(() -> !stalledGot.isEmpty());
            sleep(Duration.ofMillis(1200)); // past the stalled holder's lease
            AccessGrant healthy = healthyPod.refresh(account.accountId(), readVersion);
            AccessGrant late = stalled.get();

            AccessGrant stored = tokens.stored(account.accountId()).orElseThrow().grant();
            assertThat(stored.version()).isEqualTo(readVersion + 1).isEqualTo(healthy.version());
            assertThat(reveal(stored)).isEqualTo(reveal(healthy)).isNotEqualTo(stalledGot.getFirst());
            // The stalled pod's write was refused; it goes on with the newer token.
            assertThat(reveal(late)).isEqualTo(reveal(healthy));
        }
        assertThat(calls(simulator, account, "POST", "/oauth/v2/accessToken")).isEqualTo(2);
    }

    @Test
    void aDeadRefreshTokenIsDeclaredOnceAcrossPods() throws Exception {
        Connected account = connect(simulator, "{}");
        long version = tokens.stored(account.accountId()).orElseThrow().grant().version();
        simulator.call("POST", "/sim/members/" + account.member().get("memberId").asText() + "/revoke", null);
        TokenRefresher otherPod = new TokenRefresher(tokens, oauth, redisson, appCredentials, clock, lifecycle);

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                TokenRefresher pod = i % 2 == 0 ? refresher : otherPod;
                all.add(threads.submit(() -> {
                    assertThatThrownBy(() -> pod.refresh(account.accountId(), version))
                            .isInstanceOf(ReauthRequiredException.class);
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
        assertThat(status(account.accountId())).isEqualTo("REAUTH_REQUIRED");
        await().atMost(WAIT).until(() -> !events(kafka, account.accountId()).isEmpty());
        var events = events(kafka, account.accountId());
        assertThat(types(events)).containsExactly("courier.account.reauth-required");
        assertThat(events.getFirst().get("data").get("reason").asText()).contains("invalid, expired or revoked");
        assertThat(events.getFirst().get("data").get("linkedinError").asText()).isEqualTo("invalid_request");
        assertThat(events.getFirst().get("subject").asText()).isEqualTo(account.accountId());
        assertThat(events.getFirst().get("specversion").asText()).isEqualTo("1.0");
    }

    @Test
    void refusedAppCredentialsPauseEveryRefreshAndTakeReadinessDown() {
        Connected account = connect(simulator, "{}");
        long version = tokens.stored(account.accountId()).orElseThrow().grant().version();
        LinkedInConfig wrongSecret = Overrides.of(LinkedInConfig.class,
                Map.of("courier.linkedin.client-secret", "not-the-secret"));
        TokenRefresher misconfiguredPod = new TokenRefresher(tokens, new LinkedInOAuthClient(wrongSecret, clock, json),
                redisson, appCredentials, clock, lifecycle);
        try {
            assertThatThrownBy(() -> misconfiguredPod.refresh(account.accountId(), version))
                    .isInstanceOf(AppCredentialsException.class).hasMessageContaining("Client authentication failed");
            int callsBefore = calls(simulator, account, "POST", "/oauth/v2/accessToken");
            // Every pod stops refreshing, even one with good credentials: no call reaches LinkedIn.
            assertThatThrownBy(() -> refresher.refresh(account.accountId(), version))
                    .isInstanceOf(AppCredentialsException.class);
            assertThat(calls(simulator, account, "POST", "/oauth/v2/accessToken")).isEqualTo(callsBefore);
            assertThat(status(account.accountId())).isEqualTo("CONNECTED");
            get("/q/health/ready").then().statusCode(503);
            assertThat(get("/q/metrics").asString()).contains("courier_app_credentials_refused 1.0");
        } finally {
            redisson.getBucket(AppCredentialsGuard.KEY).delete();
        }
        get("/q/health/ready").then().statusCode(200);
    }

    private static String reveal(AccessGrant grant) {
        return io.courier.linkedin.BearerTokens.reveal(grant.accessToken());
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
