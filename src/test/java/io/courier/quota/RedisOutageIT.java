package io.courier.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.testkit.ConnectedAccounts;
import io.courier.testkit.CourierJar;
import io.courier.testkit.CourierServices;
import io.courier.testkit.EmbeddedRedis;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.SimulatorControl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Redis dies mid-run and comes back: Courier fails closed (no LinkedIn call without a debit), readiness goes down,
 * no job is lost or run twice, and work resumes by itself. Runs its own redis-server (testkit.EmbeddedRedis)
 * so the machine's stays up.
 */
class RedisOutageIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int JOBS = 60;

    @Test
    void aRedisOutageStopsWorkLosesNothingAndHeals() throws Exception {
        Map<String, String> services = CourierServices.coordinates();
        SimulatorControl simulator = new SimulatorControl(services.get("courier.linkedin.api-base-url"));
        int redisPort = CourierJar.freePort();
        Path redisLog = Path.of("target/redis-outage-redis.log");
        EmbeddedRedis redis = EmbeddedRedis.start(redisPort, redisLog);
        int port = CourierJar.freePort();
        Map<String, String> env = CourierJar.env(services, port, "redis-outage-" + UUID.randomUUID());
        env.put("REDIS_URL", "redis://127.0.0.1:" + redisPort);
        Process courier = CourierJar.start(env, port, Path.of("target/redis-outage-courier.log"));
        simulator.call("PUT", "/sim/latency", """
                {"ms":100}""");
        try (KafkaTestClient kafka = new KafkaTestClient(services.get("courier.kafka.bootstrap-servers"))) {
            List<String[]> accounts = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                JsonNode member = simulator.newMember("{}");
                String accountId = "outage-acct-" + UUID.randomUUID();
                CourierJar.importTokens(port, accountId, member);
                accounts.add(new String[] {accountId, member.get("memberUrn").asText()});
            }
            String run = UUID.randomUUID().toString();
            Set<String> jobIds = new HashSet<>();
            for (int i = 0; i < JOBS; i++) {
                String[] a = accounts.get(i % accounts.size());
                jobIds.add(run + "-" + i);
                kafka.sendAsync("linkedin.jobs.post", a[0], ConnectedAccounts.job(run + "-" + i, "post.create", a[0],
                        """
                                {"author":"%s","commentary":"outage %s %s"}""".formatted(a[1], run, i)));
            }
            kafka.flush();
            kafka.await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains(run), 5, Duration.ofSeconds(60));

            redis.kill();
            awaitReadiness(port, 503, Duration.ofSeconds(60));
            int postsDuringOutage = posts(simulator);
            Thread.sleep(5000);
            assertThat(posts(simulator)).as("no LinkedIn call without a debit (fail closed)")
                    .isLessThanOrEqualTo(postsDuringOutage);

            redis = EmbeddedRedis.start(redisPort, redisLog);
            awaitReadiness(port, 200, Duration.ofSeconds(60));
            kafka.await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains(run), JOBS,
                    Duration.ofSeconds(120));
            List<String> finished = new ArrayList<>();
            for (var r : kafka.readAll("linkedin.jobs.results", Duration.ofSeconds(3))) {
                JsonNode result = JSON.readTree(r.value());
                if (jobIds.contains(result.get("jobId").asText())) {
                    assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
                    finished.add(result.get("jobId").asText());
                }
            }
            assertThat(finished).hasSize(JOBS).doesNotHaveDuplicates();
            assertThat(new HashSet<>(finished)).isEqualTo(jobIds);
        } finally {
            simulator.call("PUT", "/sim/latency", """
                    {"ms":0}""");
            courier.destroy();
            courier.waitFor();
            redis.close();
        }
    }

    /** Posts the simulator has accepted so far. */
    private static int posts(SimulatorControl simulator) {
        return simulator.stats().path("posts").asInt();
    }

    private static void awaitReadiness(int port, int status, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            try {
                last = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
                if (last == status) {
                    return;
                }
            } catch (java.io.IOException e) {
                last = -1;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("readiness stayed " + last + ", expected " + status);
    }
}
