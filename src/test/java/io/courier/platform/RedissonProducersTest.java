package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.testkit.CourierServices;
import io.courier.testkit.EmbeddedRedis;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

/** Redis calls end within the configured bound, even against a Redis that accepts connections and never answers. */
class RedissonProducersTest {

    @Test
    void aCallToAHungRedisFailsWithinTimeoutTimesAttemptsPlusTheRetryDelay() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket hungRedis = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> { // accepts every connection and never answers; ends when the socket closes
                while (!hungRedis.isClosed()) {
                    try {
                        accepted.add(hungRedis.accept());
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            long start = System.nanoTime();
            // Redisson 4 pings each new connection, so the client may already fail to start; or the call fails.
            assertThatThrownBy(() -> {
                RedissonClient redis = Redisson.create(RedissonProducers.config(
                        "redis://127.0.0.1:" + hungRedis.getLocalPort(), 0, Duration.ofMillis(300),
                        Duration.ofMillis(300), 1));
                try {
                    redis.getBucket("courier-test:hung").get();
                } finally {
                    redis.shutdown();
                }
            }).isInstanceOf(RuntimeException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded by the 300 ms timeouts, not by Redis")
                    .isLessThan(Duration.ofSeconds(10));
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void theDatabaseInTheUrlIsTheOneUsed() {
        assertThat(
                RedissonProducers.config("redis://127.0.0.1:6379/3", 1, Duration.ofSeconds(3), Duration.ofSeconds(2), 1)
                        .useSingleServer().getDatabase())
                .isEqualTo(3);
        assertThat(
                RedissonProducers.config("redis://127.0.0.1:6379", 1, Duration.ofSeconds(3), Duration.ofSeconds(2), 1)
                        .useSingleServer().getDatabase())
                .as("none in the URL: courier.redis.database").isEqualTo(1);
        assertThatThrownBy(() -> RedissonProducers.config("redis://127.0.0.1:6379/cache", 0, Duration.ofSeconds(3),
                Duration.ofSeconds(2), 1)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("courier.redis.url");
    }

    @Test
    void aTimeoutOfZeroStopsTheStartNamingTheProperty() {
        assertThatThrownBy(
                () -> RedissonProducers.config("redis://127.0.0.1:6379", 0, Duration.ZERO, Duration.ofSeconds(2), 1))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("courier.redis.timeout");
        assertThatThrownBy(() -> RedissonProducers.config("redis://127.0.0.1:6379", 0, Duration.ofSeconds(3),
                Duration.ofSeconds(2), -1))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("courier.redis.retry-attempts");
    }

    @Test
    void aRedisAclUserAndPasswordFromTheUrlAuthenticate() throws Exception {
        String user = "courier-test-" + java.util.UUID.randomUUID();
        String password = java.util.UUID.randomUUID().toString();
        URI redis = URI.create(CourierServices.coordinates().get("courier.redis.url"));
        // ACL cannot run in a script: the command goes over a plain connection (and the user is removed after).
        assertThat(EmbeddedRedis.command(redis.getHost(), redis.getPort(), "ACL", "SETUSER", user, "on", ">" + password,
                "~courier-test:*", "+@all"))
                .isEqualTo("+OK");
        try {
            RedissonClient asUser = Redisson.create(RedissonProducers.config("redis://" + user + ":" + password + "@"
                    + redis.getHost() + ":" + redis.getPort(), 0, Duration.ofSeconds(3), Duration.ofSeconds(2), 1));
            try {
                asUser.getBucket("courier-test:acl-user").set("ok");
                assertThat(asUser.<String>getBucket("courier-test:acl-user").get()).isEqualTo("ok");
            } finally {
                asUser.shutdown();
            }
        } finally {
            EmbeddedRedis.command(redis.getHost(), redis.getPort(), "ACL", "DELUSER", user);
        }
    }

    @Test
    void anUnreadableRedisTruststoreStopsTheStartNamingTheProperty() {
        assertThatThrownBy(() -> RedissonProducers.trust(new org.redisson.config.Config(),
                java.util.Optional.of("/nonexistent/truststore.p12"),
                java.util.Optional.empty())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("courier.redis.ssl-truststore");
    }
}
