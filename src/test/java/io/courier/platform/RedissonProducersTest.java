package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.ConfigurationException;
import java.net.ServerSocket;
import java.net.Socket;
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
                        "redis://127.0.0.1:" + hungRedis.getLocalPort(), 0, Duration.ofMillis(300), Duration.ofMillis(300), 1));
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
    void aTimeoutOfZeroStopsTheStartNamingTheProperty() {
        assertThatThrownBy(() -> RedissonProducers.config("redis://127.0.0.1:6379", 0, Duration.ZERO, Duration.ofSeconds(2), 1))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("courier.redis.timeout");
        assertThatThrownBy(() -> RedissonProducers.config("redis://127.0.0.1:6379", 0, Duration.ofSeconds(3), Duration.ofSeconds(2), -1))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("courier.redis.retry-attempts");
    }
}
