package io.courier.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The redis-server packaged on Maven Central starts here, answers, dies when killed and starts again on its port
 * (as RedisOutageIT needs). Run even where a redis-server is on the PATH, so CI always starts the packaged one.
 */
class EmbeddedRedisTest {

    @Test
    void thePackagedServerAnswersDiesWhenKilledAndStartsAgain() throws Exception {
        Path binary = EmbeddedRedis.packagedBinary();
        int port = CourierJar.freePort();
        Path log = Files.createTempFile("embedded-redis-test", ".log");
        EmbeddedRedis redis = EmbeddedRedis.start(binary, port, log);
        try {
            assertThat(EmbeddedRedis.command("127.0.0.1", port, "PING")).isEqualTo("+PONG");
            redis.kill();
            assertThat(ServiceLookup.listens(port)).as("killed: nothing listens").isFalse();
            redis = EmbeddedRedis.start(binary, port, log);
            assertThat(EmbeddedRedis.command("127.0.0.1", port, "PING")).isEqualTo("+PONG");
            assertThat(Files.readString(log)).contains("7.0.15");
        } finally {
            redis.close();
        }
    }
}
