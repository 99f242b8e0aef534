package io.courier.linkedin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.courier.testkit.CourierServices;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * The LinkedIn-Version's life against real Redis (issue #19 point 5): its sunset warns ahead, and the first 426 one
 * pod sees closes the version for every pod, at once through the Redis topic and for a pod started later through
 * the key.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class LinkedInVersionTest {

    private static final String CLOSED = "209812"; // a version no other test uses: its Redis key is this test's

    @Inject
    RedissonClient redisson;

    @AfterEach
    void reopen() {
        redisson.getBucket(LinkedInVersion.keyOf(CLOSED)).delete();
    }

    private LinkedInVersion pod(String version, Instant now, Optional<LocalDate> sunset) {
        URI base = URI.create("http://127.0.0.1:1");
        var config = new LinkedInClientTest.Config(base, base, version, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1 << 20);
        LinkedInConfig withSunset = new DelegatingConfig(config, sunset);
        LinkedInVersion pod = new LinkedInVersion(withSunset, redisson, Clock.fixed(now, ZoneOffset.UTC),
                new SimpleMeterRegistry());
        pod.start(null);
        return pod;
    }

    @Test
    void aVersionElevenMonthsOldWarnsAndCountsItsDaysLeft() {
        Instant now = Instant.parse("2026-12-02T10:00:00Z");
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        URI base = URI.create("http://127.0.0.1:1");
        LinkedInVersion old = new LinkedInVersion(new DelegatingConfig(new LinkedInClientTest.Config(base, base,
                "202601", Optional.empty(), Optional.empty(), Duration.ofSeconds(1), Duration.ofSeconds(1), 1,
                1 << 20), Optional.empty()), redisson, Clock.fixed(now, ZoneOffset.UTC), metrics);
        assertThat(old.status()).isEqualTo("warning: LinkedIn-Version 202601 sunsets on 2027-01-01 (30 days left)");
        assertThat(metrics.get("courier.linkedin.version.sunset.seconds").gauge().value()).isEqualTo(30 * 86_400d);
        assertThat(metrics.get("courier.linkedin.version.active").gauge().value()).isEqualTo(1);

        assertThat(pod("202611", now, Optional.empty()).status()).as("a month old: a year left").isEqualTo("ok");
        assertThat(pod("202611", now, Optional.of(LocalDate.parse("2026-12-20"))).status())
                .as("a sunset LinkedIn announced earlier, configured").contains("sunsets on 2026-12-20 (18 days");
    }

    @Test
    void theFirst426ClosesTheVersionForEveryPodAndANewVersionStartsOpen() {
        Instant now = Instant.now();
        LinkedInVersion first = pod(CLOSED, now, Optional.empty());
        LinkedInVersion second = pod(CLOSED, now, Optional.empty());
        assertThatCode(() -> second.check("posts.create")).doesNotThrowAnyException();

        first.inactive("posts.create", "Requested version 20981201 is not active");
        assertThatThrownBy(() -> first.check("posts.create")).isInstanceOf(LinkedInVersionInactiveException.class)
                .hasMessageContaining("LinkedIn-Version 209812 is not active");
        // Through the topic: well before the next read of the key (every 5 s).
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThatThrownBy(() -> second.check("userinfo"))
                .isInstanceOf(LinkedInVersionInactiveException.class));
        assertThat(second.status()).isEqualTo("degraded: LinkedIn-Version 209812 is not active");

        LinkedInVersion later = pod(CLOSED, now, Optional.empty());
        assertThatThrownBy(() -> later.check("posts.create")).as("a pod started afterwards reads the key")
                .isInstanceOf(LinkedInVersionInactiveException.class);
        LinkedInVersion upgraded = pod("209901", now, Optional.empty());
        assertThatCode(() -> upgraded.check("posts.create")).as("the next version is open")
                .doesNotThrowAnyException();
    }

    /** A client test's configuration with a sunset of its own. */
    private record DelegatingConfig(LinkedInConfig base, Optional<LocalDate> sunset) implements LinkedInConfig {
        public URI apiBaseUrl() {
            return base.apiBaseUrl();
        }

        public URI oauthBaseUrl() {
            return base.oauthBaseUrl();
        }

        public String version() {
            return base.version();
        }

        public Optional<String> clientId() {
            return base.clientId();
        }

        public Optional<String> clientSecret() {
            return base.clientSecret();
        }

        public Duration connectTimeout() {
            return base.connectTimeout();
        }

        public Duration requestTimeout() {
            return base.requestTimeout();
        }

        public Duration uploadTimeout() {
            return base.uploadTimeout();
        }

        public int maxResponseBytes() {
            return base.maxResponseBytes();
        }

        public int maxCallsInFlight() {
            return base.maxCallsInFlight();
        }

        public Optional<LocalDate> versionSunset() {
            return sunset;
        }

        public Duration versionWarnBefore() {
            return Duration.ofDays(60);
        }
    }
}
