package io.courier.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The packaged Courier jar as a real process, for the tests that kill, share or stop workers. */
public final class CourierJar {

    public static final String ADMIN = "jar-test-admin";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private CourierJar() {}

    /** Environment pointing a Courier process at the test services, on its own HTTP port and consumer group. */
    public static Map<String, String> env(Map<String, String> services, int port, String group) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", services.get("courier.kafka.bootstrap-servers"));
        env.put("REDIS_URL", services.get("courier.redis.url"));
        env.put("DB_URL", services.get("quarkus.datasource.jdbc.url"));
        env.put("DB_USER", services.get("quarkus.datasource.username"));
        env.put("DB_PASSWORD", services.get("quarkus.datasource.password"));
        env.put("LINKEDIN_API_BASE_URL", services.get("courier.linkedin.api-base-url"));
        env.put("LINKEDIN_OAUTH_BASE_URL", services.get("courier.linkedin.oauth-base-url"));
        env.put("LINKEDIN_CLIENT_ID", services.get("courier.linkedin.client-id"));
        env.put("LINKEDIN_CLIENT_SECRET", services.get("courier.linkedin.client-secret"));
        env.putAll(testKeys());
        env.put("COURIER_ADMIN_TOKEN", ADMIN);
        env.put("HTTP_PORT", Integer.toString(port));
        env.put("COURIER_KAFKA_GROUP_ID", group);
        return env;
    }

    /**
     * The token key the @QuarkusTests use (src/test/resources/application-test.properties), under the same id, so that
     * a jar and the tests can share a database; k1 (the prod default id, which jars used before) stays readable.
     */
    public static Map<String, String> testKeys() {
        String key = "dGVzdC1vbmx5LXRva2VuLWtleS0zMi1ieXRlcyEhISE=";
        return Map.of("COURIER_TOKEN_KEY", key, "COURIER_TOKEN_KEY_ID", "test-1", "COURIER_AUTH_RETIRED_KEYS_K1", key);
    }

    /** Starts the jar and waits until it is ready; its output goes to {@code log}. */
    public static Process start(Map<String, String> env, int port, Path log) throws Exception {
        return start(env, port, log, 200);
    }

    /**
     * Starts the jar and waits only until its HTTP port answers (liveness, whatever it says), for a Courier that
     * cannot be ready yet, e.g. while Kafka is unreachable.
     */
    public static Process startAnswering(Map<String, String> env, int port, Path log) throws Exception {
        return start(env, port, log, -1);
    }

    /** Starts the jar and waits until readiness answers {@code readyStatus} (any answer of liveness when -1). */
    private static Process start(Map<String, String> env, int port, Path log, int readyStatus) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) { // ends at the deadline, or when Courier exits
            if (!p.isAlive()) {
                throw new IllegalStateException("Courier exited with " + p.exitValue() + "; see " + log);
            }
            Health h = health(port, readyStatus == -1 ? "live" : "ready");
            if (readyStatus == -1 ? h.status() > 0 : h.status() == readyStatus) {
                return p;
            }
            Thread.sleep(200);
        }
        p.destroyForcibly();
        throw new IllegalStateException("Courier did not " + (readyStatus == -1 ? "answer" : "become ready")
                + " in 90 s; see " + log);
    }

    /** What {@code /q/health/<which>} (live or ready) answers; status -1 while nothing answers on the port. */
    public static Health health(int port, String which) throws InterruptedException {
        try {
            HttpResponse<String> r = HTTP
                    .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/" + which))
                            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            return new Health(r.statusCode(), r.body());
        } catch (IOException notListening) {
            return new Health(-1, notListening.toString());
        }
    }

    /** One health answer. */
    public record Health(int status, String body) {}

    /** Imports a simulator member's tokens into the Courier listening on {@code port}. */
    public static void importTokens(int port, String accountId, JsonNode member) throws Exception {
        String body = """
                {"accessToken":"%s","accessTokenExpiresAt":"%s",\
                "memberUrn":"%s"}""".formatted(member.get("accessToken").asText(),
                member.get("accessTokenExpiresAt").asText(), member.get("memberUrn").asText());
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/admin/accounts/" + accountId + "/tokens")).header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("token import answered " + r.statusCode() + ": " + r.body());
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
