package io.courier.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The per-address limit of /oauth/*: its windows, its bound on addresses, IPv6 per /64. */
class OAuthRateLimiterTest {

    private final TestClock clock = TestClock.at(Instant.parse("2026-12-01T10:00:00Z"));

    private OAuthRateLimiter limiter(int requests, int maxClients) {
        return new OAuthRateLimiter(requests, Duration.ofMinutes(1), maxClients, clock);
    }

    @Test
    void anAddressPastItsLimitWaitsForTheNextWindow() {
        OAuthRateLimiter limiter = limiter(3, 100);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.refuse("198.51.100.7")).isEmpty();
        }
        assertThat(limiter.refuse("198.51.100.7"))
                .hasValueSatisfying(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMinutes(1)));
        assertThat(limiter.refuse("198.51.100.8")).as("another address is not held back").isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(limiter.refuse("198.51.100.7")).isEmpty();
    }

    @Test
    void aFloodOfAddressesSharesOneBudgetAndCostsNoScan() {
        OAuthRateLimiter limiter = limiter(30, 1000);
        long started = System.nanoTime();
        for (int i = 0; i < 200_000; i++) {
            limiter.refuse("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
        }
        // 200,000 requests from new addresses past the bound; with a scan of the map per request this took seconds.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(limiter.refuse("192.0.2.1")).as("past the bound, new addresses share the spent budget").isPresent();
        clock.advance(Duration.ofMinutes(1));
        assertThat(limiter.refuse("192.0.2.1")).as("a new window starts empty").isEmpty();
    }

    @Test
    void ipv6CountsPerSlash64() {
        assertThat(OAuthRateLimiter.client("2001:db8:1:2:aaaa::1"))
                .isEqualTo(OAuthRateLimiter.client("2001:db8:1:2:bbbb:0:0:9"));
        assertThat(OAuthRateLimiter.client("2001:db8:1:3::1")).isNotEqualTo(OAuthRateLimiter.client("2001:db8:1:2::1"));
        assertThat(OAuthRateLimiter.client("203.0.113.9")).isEqualTo("203.0.113.9");
        assertThat(OAuthRateLimiter.client("unknown")).isEqualTo("unknown");
    }
}
