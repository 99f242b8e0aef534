package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.testkit.ConnectedAccounts;
import io.courier.testkit.CourierJar;
import io.courier.testkit.CourierServices;
import io.courier.testkit.JobStream;
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
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * A LinkedIn-Version sunset mid-drain (issue #19 point 5), on two Courier processes: the first 426 closes the version
 * for both, no call is made with it from then on, no job is dead-lettered for it, readiness says degraded; a rolling
 * restart with the next version drains every waiting job, each once.
 */
class VersionSunsetIT {

    private static final int JOBS = 240;
    private static final DateTimeFormatter YYYYMM = DateTimeFormatter.ofPattern("yyyyMM");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anInactiveVersionPausesEveryPodAndTheNextVersionDrainsTheJobs() throws Exception {
        Map<String, String> services = CourierServices.coordinates();
        SimulatorControl simulator = new SimulatorControl(services.get("courier.linkedin.api-base-url"));
        // Versions of this test's own (the suite's 202610 must stay open in the shared Redis).
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        String sunset = now.minusMonths(4).format(YYYYMM);
        String next = now.minusMonths(3).format(YYYYMM);
        URI redisUrl = URI.create(services.get("courier.redis.url"));
        String group = "version-" + UUID.randomUUID();
        int[] ports = {CourierJar.freePort(), CourierJar.freePort()};
        Path log = Path.of("target/version-sunset-courier.log");
        Files.deleteIfExists(log); // this run's lines only: assertStructuredLogs reads them
        List<Process> running = new ArrayList<>();
        RedissonClient redis = redis(redisUrl);
        try (KafkaTestClient kafka = new KafkaTestClient(services.get("courier.kafka.bootstrap-servers"))) {
            redis.getKeys().delete("courier:linkedin-version:inactive:" + sunset,
                    "courier:linkedin-version:inactive:" + next);
            for (int port : ports) {
                running.add(CourierJar.start(env(services, port, group, sunset), port, log));
            }
            simulator.call("PUT", "/sim/latency", "{\"ms\":20}");
            simulator.call("DELETE", "/sim/requests", null);
            JobStream stream = new JobStream(simulator, ports[0], 12);
            stream.publish(kafka, JOBS);
            stream.awaitResults(kafka, JOBS / 5, Duration.ofMinutes(2));
            assertStructuredLogs(kafka, log);

            simulator.call("PUT", "/sim/versions", "{\"inactive\":[\"" + sunset + "\"]}");
            Thread.sleep(8000); // both processes go on draining what does not need the version (sync.profile)
            for (int port : ports) {
                String ready = CourierJar.health(port, "ready").body();
                assertThat(ready).contains("degraded: LinkedIn-Version " + sunset + " is not active");
                assertThat(metrics(port)).containsPattern(
                        "courier_linkedin_version_active\\{version=\"" + sunset + "\"} 0");
            }
            List<JsonNode> withVersion = StreamSupport.stream(simulator.requests().spliterator(), false)
                    .filter(r -> sunset.equals(r.path("linkedinVersion").asText())).toList();
            Instant first426 = withVersion.stream().filter(r -> r.get("status").asInt() == 426)
                    .map(r -> Instant.parse(r.get("at").asText())).min(Instant::compareTo).orElseThrow();
            // Only calls already on their way when LinkedIn first said 426 (each process has 64 call slots).
            List<JsonNode> after = withVersion.stream()
                    .filter(r -> Instant.parse(r.get("at").asText()).isAfter(first426.plusSeconds(1))).toList();
            assertThat(after).as("calls with the inactive version a second after the first 426").isEmpty();
            assertThat(withVersion.stream().filter(r -> r.get("status").asInt() == 426).count())
                    .as("426s: the calls in flight at that moment, not one per job").isLessThan(130);
            assertThat(kafka.readAll("linkedin.jobs.dlq", Duration.ofSeconds(1)).stream()
                    .filter(r -> KafkaTestClient.text(r).contains("stream-"))
                    .map(r -> KafkaTestClient.header(r, "courier-error-class"))).as("nothing dead-lettered for it")
                    .isEmpty();

            // A rolling restart with the next version: one process at a time.
            for (int i = 0; i < ports.length; i++) {
                running.get(i).destroy();
                running.get(i).waitFor();
                running.set(i, CourierJar.start(env(services, ports[i], group, next), ports[i], log));
            }
            stream.assertEachJobExactlyOnce(kafka, simulator);
            assertThat(CourierJar.health(ports[0], "ready").body()).doesNotContain("degraded: LinkedIn-Version");
        } finally {
            for (Process p : running) {
                p.destroy();
                p.waitFor();
            }
            simulator.call("PUT", "/sim/versions", "{\"inactive\":[]}");
            simulator.call("PUT", "/sim/latency", "{\"ms\":0}");
            redis.getKeys().delete("courier:linkedin-version:inactive:" + sunset,
                    "courier:linkedin-version:inactive:" + next);
            redis.shutdown();
        }
    }

    /**
     * The production profile logs JSON, one event per line, with the job's MDC and its trace ids: a job for an
     * unknown account, published with a traceparent, is dead-lettered and its line says so.
     */
    private static void assertStructuredLogs(KafkaTestClient kafka, Path log) throws java.io.IOException {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String jobId = UUID.randomUUID().toString();
        String stranger = "log-stranger-" + UUID.randomUUID();
        ProducerRecord<String, byte[]> job = new ProducerRecord<>("linkedin.jobs.sync", stranger,
                ConnectedAccounts.job(jobId, "sync.profile", stranger, "{}").getBytes(StandardCharsets.UTF_8));
        job.headers().add("traceparent", ("00-" + traceId + "-00f067aa0ba902b7-01").getBytes(StandardCharsets.UTF_8));
        kafka.send(job);
        JsonNode line = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.readAllLines(log)
                .stream().filter(l -> l.contains(jobId) && l.contains("job dead-lettered")).findFirst()
                .map(l -> {
                    try {
                        return JSON.readTree(l);
                    } catch (java.io.IOException e) {
                        throw new AssertionError("not one JSON event per line: " + l, e);
                    }
                }), java.util.Optional::isPresent).orElseThrow();
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.path("loggerName").asText()).isEqualTo("io.courier.retry.DeadLetterWriter");
        assertThat(line.path("mdc").path("jobId").asText()).isEqualTo(jobId);
        assertThat(line.path("mdc").path("traceId").asText()).isEqualTo(traceId);
        assertThat(line.path("mdc").path("spanId").asText()).matches("[0-9a-f]{16}");
        assertThat(Files.readAllLines(log)).as("tracing is off without an OTLP endpoint: nothing is exported")
                .noneMatch(l -> l.contains("Failed to export"));
    }

    private static Map<String, String> env(Map<String, String> services, int port, String group, String version) {
        Map<String, String> env = new HashMap<>(CourierJar.env(services, port, group));
        env.put("LINKEDIN_VERSION", version);
        env.put("COURIER_RETRY_POLICIES_VERSION_INACTIVE_INITIAL_DELAY", "1s");
        env.put("COURIER_RETRY_POLICIES_VERSION_INACTIVE_MAX_DELAY", "3s");
        return env;
    }

    /** A client of the tests' Redis, redis://host:port/N. */
    private static RedissonClient redis(URI url) {
        Config config = new Config();
        String path = url.getPath();
        config.useSingleServer().setAddress("redis://" + url.getHost() + ":" + url.getPort())
                .setDatabase(path != null && path.length() > 1 ? Integer.parseInt(path.substring(1)) : 0);
        return Redisson.create(config);
    }

    private static String metrics(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
