package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The packaged jar refuses to start on bad configuration, and says which property is wrong. */
class StartupConfigIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String KEY = io.courier.testkit.CourierJar.testKeys().get("COURIER_TOKEN_KEY");

    @ParameterizedTest(name = "{0}={1} ({3}) -> names {2}")
    @CsvSource(delimiter = '|', value = {
            "COURIER_TOKEN_KEY    | <unset>          | courier.auth.token-key | -",
            "COURIER_TOKEN_KEY    | c2hvcnQ=         | courier.auth.token-key | -",
            "LINKEDIN_VERSION     | 2026-10          | courier.linkedin.version | -",
            "REDIS_URL            | localhost:6379   | courier.redis.url | -",
            "COURIER_WORKER_CONCURRENCY | 0          | courier.worker.concurrency | -",
            "COURIER_LINKEDIN_MAX_CALLS_IN_FLIGHT | 0  | courier.linkedin.max-calls-in-flight | -",
            "COURIER_RETRY_POLICIES_SERVER_ERROR_MAX_ATTEMPTS | 0 | courier.retry.policies.server-error.max-attempts | -",
            "COURIER_KAFKA_ISOLATION_LEVEL | read_uncommitted | courier.kafka.isolation.level | -",
            "COURIER_KAFKA_SASL_JASS_CONFIG | x          | courier.kafka.sasl.jass.config | -",
            "COURIER_REDIS_SSL_TRUSTSTORE | /nonexistent/truststore.p12 | courier.redis.ssl-truststore | -",
            "COURIER_SIMULATOR_ENABLED | true            | courier.simulator.enabled | -",
            "COURIER_ADMIN_TOKENS_BOB_ROLE | root          | courier.admin.tokens.bob.role | -",
            "COURIER_ADMIN_TOKENS_BOB_HASH | not-a-sha-256 | courier.admin.tokens.bob.hash | COURIER_ADMIN_TOKENS_BOB_ROLE=viewer"})
    void refusesToStartNamingTheProperty(String variable, String value, String property, String alsoSet)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.putAll(io.courier.testkit.CourierJar.testKeys());
        env.put("HTTP_PORT", "0");
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
        // A reachable database, so that the check under test (not Flyway's first connection) is what fails.
        Map<String, String> db = io.courier.testkit.CourierServices.databaseOnly();
        env.put("DB_URL", db.get("quarkus.datasource.jdbc.url"));
        env.put("DB_USER", db.get("quarkus.datasource.username"));
        env.put("DB_PASSWORD", db.get("quarkus.datasource.password"));
        if (!alsoSet.equals("-")) { // NAME=VALUE that the setting under test needs beside it
            env.put(alsoSet.substring(0, alsoSet.indexOf('=')), alsoSet.substring(alsoSet.indexOf('=') + 1));
        }
        if (value.equals("<unset>")) {
            env.remove(variable);
        } else {
            env.put(variable, value);
        }
        Path output = Files.createTempFile("courier-start", ".log");
        Process courier = pb.redirectOutput(output.toFile()).start();
        boolean exited = courier.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            courier.destroyForcibly();
        }
        String log = read(output);
        assertThat(exited).as("Courier should exit at once on bad config; output:%n%s", log).isTrue();
        assertThat(courier.exitValue()).isNotZero();
        assertThat(log).contains(property);
        assertThat(log).doesNotContain(KEY);
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
