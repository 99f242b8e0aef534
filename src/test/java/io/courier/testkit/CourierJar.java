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

    private CourierJar() {
    }

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
        env.put("COURIER_TOKEN_KEY", "dGVzdC1vbmx5LXRva2VuLWtleS0zMi1ieXRlcyEhISE=");
        env.put("COURIER_ADMIN_TOKEN", ADMIN);
        env.put("HTTP_PORT", Integer.toString(port));
        env.put("COURIER_KAFKA_GROUP_ID", group);
        return env;
    }

    /** Starts the jar and waits until it is ready; its output goes to {@code log}. */
    public static Process start(Map<String, String> env, int port, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("Courier exited with " + p.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return p;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        p.destroyForcibly();
        throw new IllegalStateException("Courier did not become ready in 90 s; see " + log);
    }

    /** Imports a simulator member's tokens into the Courier listening on {@code port}. */
    public static void importTokens(int port, String accountId, JsonNode member) throws Exception {
        String body = "{\"accessToken\":\"" + member.get("accessToken").asText() + "\",\"accessTokenExpiresAt\":\""
                + member.get("accessTokenExpiresAt").asText() + "\",\"memberUrn\":\"" + member.get("memberUrn").asText() + "\"}";
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
