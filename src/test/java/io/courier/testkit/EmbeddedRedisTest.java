package io.courier.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
            assertThat(ping(port)).isEqualTo("+PONG");
            redis.kill();
            assertThat(ServiceLookup.listens(port)).as("killed: nothing listens").isFalse();
            redis = EmbeddedRedis.start(binary, port, log);
            assertThat(ping(port)).isEqualTo("+PONG");
            assertThat(Files.readString(log)).contains("7.0.15");
        } finally {
            redis.close();
        }
    }

    private static String ping(int port) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        }
    }
}
