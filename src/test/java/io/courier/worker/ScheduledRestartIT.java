package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.testkit.CourierJar;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.SimulatorControl;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Scheduled posts across a restart (issue #19 point 1): 50 posts due 5 to 20 s ahead, on two Courier processes, one
 * of which is restarted while they wait; each is published once, never before its notBefore, and within 2 s of it
 * but for the few due while partitions move to the restarted process (within 3 s).
 */
class ScheduledRestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int POSTS = 50;

    /** A post per account due now, so that what is measured is the schedule, not a fresh JVM's first jobs. */
    private static void warmUp(KafkaTestClient kafka, List<String> accounts, Map<String, String> memberOf,
            String run) {
        for (String account : accounts) {
            ObjectNode job = JSON.createObjectNode().put("jobId", run + "-warm-" + account).put("type", "post.create")
                    .put("accountId", account).put("createdAt", Instant.now().toString());
            job.putObject("payload").put("author", memberOf.get(account)).put("commentary", "warm-up");
            kafka.sendAsync("linkedin.jobs.post", account, job.toString());
        }
        kafka.flush();
        kafka.await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains(run + "-warm-"), accounts.size(),
                Duration.ofMinutes(1));
    }

    @Test
    void fiftyScheduledPostsRunOnTimeAcrossARestart() throws Exception {
        Map<String, String> services = CourierServices.coordinates();
        SimulatorControl simulator = new SimulatorControl(services.get("courier.linkedin.api-base-url"));
        String group = "scheduled-" + UUID.randomUUID();
        int[] ports = {CourierJar.freePort(), CourierJar.freePort()};
        Path log = Path.of("target/scheduled-restart-courier.log");
        List<Process> running = new ArrayList<>();
        try (KafkaTestClient kafka = new KafkaTestClient(services.get("courier.kafka.bootstrap-servers"))) {
            for (int port : ports) {
                running.add(CourierJar.start(CourierJar.env(services, port, group), port, log));
            }
            String run = "sched-" + UUID.randomUUID();
            List<String> accounts = new ArrayList<>();
            Map<String, String> memberOf = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                JsonNode member = simulator.newMember("{}");
                String account = run + "-acct-" + i;
                CourierJar.importTokens(ports[0], account, member);
                accounts.add(account);
                memberOf.put(account, member.get("memberUrn").asText());
            }
            warmUp(kafka, accounts, memberOf, run);
            Instant start = Instant.now();
            Map<String, Instant> due = new HashMap<>();
            for (int i = 0; i < POSTS; i++) {
                String account = accounts.get(i % accounts.size());
                String jobId = run + "-" + i;
                Instant notBefore = start.plusMillis(5000 + i * 300L); // 5 s to 19.7 s ahead
                due.put(jobId, notBefore);
                ObjectNode job = JSON.createObjectNode().put("jobId", jobId).put("type", "post.create")
                        .put("accountId", account).put("createdAt", start.toString())
                        .put("notBefore", notBefore.toString());
                job.putObject("payload").put("author", memberOf.get(account)).put("commentary", "at " + notBefore);
                kafka.sendAsync("linkedin.jobs.post", account, job.toString());
            }
            kafka.flush();

            Thread.sleep(Duration.between(Instant.now(), start.plusSeconds(7)).toMillis());
            running.get(0).destroy(); // SIGTERM mid-schedule: its partitions go to the other process
            running.get(0).waitFor();
            running.set(0, CourierJar.start(CourierJar.env(services, ports[0], group), ports[0], log));

            List<JsonNode> results = new ArrayList<>();
            for (var r : kafka.await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains(run)
                    && !KafkaTestClient.text(r).contains("-warm-"), POSTS,
                    Duration.ofMinutes(1))) {
                results.add(JSON.readTree(KafkaTestClient.text(r)));
            }
            Map<String, Long> lateMs = new HashMap<>();
            for (JsonNode result : results) {
                assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
                String jobId = result.get("jobId").asText();
                lateMs.put(jobId, Duration.between(due.get(jobId), Instant.parse(result.get("finishedAt").asText()))
                        .toMillis());
            }
            assertThat(lateMs).hasSize(POSTS);
            // Never early. Within 2 s, but for the few due while partitions move to the restarted (cold) process:
            // measured 49 of 50 within 2 s, the last at 2.3 s (README, "Scheduled jobs").
            assertThat(lateMs.values()).as("ms after notBefore, per job: %s", lateMs)
                    .allSatisfy(ms -> assertThat(ms).isBetween(0L, 3000L));
            assertThat(lateMs.values().stream().filter(ms -> ms <= 2000)).as("within 2 s: %s", lateMs)
                    .hasSizeGreaterThanOrEqualTo(POSTS - 3);
            for (String account : accounts) {
                assertThat(simulator.call("GET", "/sim/posts?author=" + memberOf.get(account), null).size())
                        .as("posts of %s, once each", account).isEqualTo(POSTS / accounts.size() + 1);
            }
        } finally {
            for (Process p : running) {
                p.destroy();
                p.waitFor();
            }
        }
    }
}
