package io.courier.auth;

import static io.courier.testkit.ConnectedAccounts.job;
import static io.courier.testkit.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.testkit.CourierJar;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.SimulatorControl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A key rotation as the README tells an operator to do it, with the packaged jar on a database of its own: tokens
 * stored under key "old"; Courier with only the new key refuses to start, naming the key id and the property; with
 * the new key current and the old one retired it starts, `courier tokens rekey` moves every row while
 * courier_token_rows{key_id="old"} counts down to 0, and then Courier starts without the old key and its tokens work.
 */
class KeyRotationIT {

    private static final String OLD_KEY = Base64.getEncoder()
            .encodeToString("old-key-old-key-old-key-old-key!".getBytes(StandardCharsets.US_ASCII));
    private static final String NEW_KEY = Base64.getEncoder()
            .encodeToString("new-key-new-key-new-key-new-key!".getBytes(StandardCharsets.US_ASCII));
    private static final int ACCOUNTS = 3;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void rekeyMovesEveryRowToTheNewKeyAndThenTheOldKeyCanBeRemoved() throws Exception {
        Map<String, String> services = new HashMap<>(CourierServices.coordinates());
        services.putAll(CourierServices.freshDatabase("courier_test_key_rotation"));
        SimulatorControl simulator = new SimulatorControl(services.get("courier.linkedin.api-base-url"));
        int port = CourierJar.freePort();
        Path log = Path.of("target/key-rotation-courier.log");
        Files.deleteIfExists(log);
        Map<String, String> env = CourierJar.env(services, port, "rotation-" + UUID.randomUUID());
        env.remove("COURIER_AUTH_RETIRED_KEYS_K1");
        env.put("COURIER_AUTH_TOKEN_ROWS_INTERVAL", "1s");

        List<String> accounts = new ArrayList<>();
        Process before = CourierJar
                .start(with(env, Map.of("COURIER_TOKEN_KEY", OLD_KEY, "COURIER_TOKEN_KEY_ID", "old")), port, log);
        try {
            for (int i = 0; i < ACCOUNTS; i++) {
                JsonNode member = simulator.newMember("{}");
                String accountId = "rot-" + i + "-" + UUID.randomUUID();
                CourierJar.importTokens(port, accountId, member);
                accounts.add(accountId);
            }
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(tokenRows(port)).containsEntry("old", (double) ACCOUNTS));
        } finally {
            stop(before);
        }

        // The new key alone: the old rows would be unreadable, so Courier does not start.
        Map<String, String> newOnly = with(env, Map.of("COURIER_TOKEN_KEY", NEW_KEY, "COURIER_TOKEN_KEY_ID", "new"));
        String refusal = refusedStart(newOnly);
        assertThat(refusal).contains("key id 'old'").contains("courier.auth.retired-keys.old")
                .contains("COURIER_AUTH_RETIRED_KEYS_OLD").doesNotContain(OLD_KEY).doesNotContain(NEW_KEY);

        Map<String, String> rotating = with(newOnly, Map.of("COURIER_AUTH_RETIRED_KEYS_OLD", OLD_KEY));
        Process during = CourierJar.start(rotating, port, log);
        try {
            assertThat(tokenRows(port)).containsEntry("old", (double) ACCOUNTS).containsEntry("new", 0.0);
            Cli rekey = cli("tokens", "rekey", "--batch", "1", "--url", "http://127.0.0.1:" + port, "--token",
                    CourierJar.ADMIN);
            assertThat(rekey.code).as(rekey.out).isZero();
            // One row per step: the progress counts up while the old key's rows count down.
            assertThat(rekey.out).contains("1/3 rows under key new").contains("2/3 rows under key new")
                    .contains("3/3 rows under key new").contains("rekeyed 3 row(s); 0 unreadable");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(tokenRows(port))
                    .containsEntry("old", 0.0).containsEntry("new", (double) ACCOUNTS));
            // Run again: nothing left to do, and it says so.
            assertThat(cli("tokens", "rekey", "--url", "http://127.0.0.1:" + port, "--token", CourierJar.ADMIN).out)
                    .contains("rekeyed 0 row(s)");
        } finally {
            stop(during);
        }

        // The old key removed: Courier starts, and the tokens it holds still work.
        Process after = CourierJar.start(newOnly, port, log);
        try (KafkaTestClient kafka = new KafkaTestClient(services.get("courier.kafka.bootstrap-servers"))) {
            String jobId = "rot-" + UUID.randomUUID();
            kafka.send("linkedin.jobs.sync", accounts.getFirst(),
                    job(jobId, "sync.profile", accounts.getFirst(), "{}"));
            String result = text(kafka.await("linkedin.jobs.results", r -> text(r).contains(jobId), 1,
                    Duration.ofSeconds(60)).getFirst());
            assertThat(result).contains("\"status\":\"SUCCEEDED\"");
        } finally {
            stop(after);
        }
    }

    private static Map<String, String> with(Map<String, String> env, Map<String, String> changes) {
        Map<String, String> out = new HashMap<>(env);
        out.putAll(changes);
        return out;
    }

    private static String refusedStart(Map<String, String> env) throws Exception {
        Path output = Files.createTempFile("courier-rotation", ".log");
        ProcessBuilder pb = new ProcessBuilder(java(), "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean exited = p.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String out = Files.readString(output);
        assertThat(exited).as("Courier should refuse to start; output:%n%s", out).isTrue();
        assertThat(p.exitValue()).isNotZero();
        return out;
    }

    private record Cli(int code, String out) {}

    private static Cli cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", "target/quarkus-app/quarkus-run.jar"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Cli(p.exitValue(), out);
    }

    /** courier_token_rows by key id, as Prometheus scrapes it. */
    private static Map<String, Double> tokenRows(int port) throws Exception {
        String metrics = HTTP
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Map<String, Double> rows = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^courier_token_rows\\{key_id=\"([^\"]+)\"[^}]*} ([0-9.E+-]+)$")
                .matcher(metrics);
        while (m.find()) {
            rows.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return rows;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
