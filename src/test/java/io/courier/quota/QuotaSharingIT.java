package io.courier.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.testkit.ConnectedAccounts;
import io.courier.testkit.CourierJar;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.SimulatorControl;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Three Courier processes share one application budget against a simulator enforcing the same quota, in short
 * windows: LinkedIn never answers 429, the budget is used to the last call in the first window, and the burst
 * that did not fit completes in the next window.
 */
class QuotaSharingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WINDOW_SECONDS = 20;
    private static final int BUDGET = 60;
    private static final int ACCOUNTS = 30;
    private static final int JOBS = 90;

    @Test
    void threeProcessesShareOneBudgetWithoutA429() throws Exception {
        Map<String, String> services = CourierServices.coordinates();
        SimulatorControl simulator = new SimulatorControl(services.get("courier.linkedin.api-base-url"));
        simulator.call("PUT", "/sim/quotas", """
                {"windowSeconds":%s,"resources":{"posts.create":{"app":%s,\
                "member":1000}}}""".formatted(WINDOW_SECONDS, BUDGET));
        String group = "quota-it-" + UUID.randomUUID();
        List<Process> workers = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try (KafkaTestClient kafka = new KafkaTestClient(services.get("courier.kafka.bootstrap-servers"))) {
            for (int i = 0; i < 3; i++) {
                int port = CourierJar.freePort();
                Map<String, String> env = CourierJar.env(services, port, group);
                env.put("COURIER_QUOTA_WINDOW", WINDOW_SECONDS + "s");
                env.put("COURIER_QUOTA_RESOURCES_POSTS_CREATE_APP_DAILY", Integer.toString(BUDGET));
                env.put("COURIER_QUOTA_RESOURCES_POSTS_CREATE_MEMBER_DAILY", "1000");
                env.put("COURIER_QUOTA_NEXT_WINDOW_SPREAD", "2s");
                env.put("COURIER_QUOTA_KEY_PREFIX", group);
                ports.add(port);
                workers.add(CourierJar.start(env, port, Path.of("target/quota-sharing-courier-" + i + ".log")));
            }
            List<String[]> accounts = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) {
                JsonNode member = simulator.newMember("{}");
                String accountId = "quota-acct-" + UUID.randomUUID();
                CourierJar.importTokens(ports.get(i % 3), accountId, member);
                accounts.add(new String[] {accountId, member.get("memberUrn").asText()});
            }
            // Publish the burst just after a window opens, so that it meets one full budget.
            long windowMs = WINDOW_SECONDS * 1000L;
            Thread.sleep(windowMs - System.currentTimeMillis() % windowMs + 300);
            Instant windowStart = Instant.ofEpochMilli(System.currentTimeMillis() / windowMs * windowMs);
            String run = UUID.randomUUID().toString();
            for (int i = 0; i < JOBS; i++) {
                String[] a = accounts.get(i % ACCOUNTS);
                kafka.sendAsync("linkedin.jobs.post", a[0], ConnectedAccounts.job(run + "-" + i, "post.create", a[0],
                        """
                                {"author":"%s","commentary":"quota %s %s"}""".formatted(a[1], run, i)));
            }
            kafka.flush();

            var results = kafka.await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains(run), JOBS,
                    Duration.ofSeconds(3 * WINDOW_SECONDS + 30));
            for (var r : results) {
                assertThat(JSON.readTree(r.value()).get("status").asText()).isEqualTo("SUCCEEDED");
            }
            int firstWindow = 0;
            int refused = 0;
            for (JsonNode call : simulator.requests()) {
                if (call.get("path").asText().equals("/rest/posts") && call.get("method").asText().equals("POST")) {
                    Instant at = Instant.parse(call.get("at").asText());
                    if (call.get("status").asInt() == 429) {
                        refused++;
                    } else if (!at.isBefore(windowStart) && at.isBefore(windowStart.plusMillis(windowMs))) {
                        firstWindow++;
                    }
                }
            }
            assertThat(refused).as("429 answers from LinkedIn").isZero();
            assertThat(firstWindow).as("posts in the first window (budget %d)", BUDGET)
                    .isGreaterThanOrEqualTo((int) Math.ceil(BUDGET * 0.98))
                    .isLessThanOrEqualTo(BUDGET);
        } finally {
            workers.forEach(Process::destroy);
            for (Process p : workers) {
                p.waitFor();
            }
            simulator.call("PUT", "/sim/quotas", """
                    {"windowSeconds":86400,"resources":{"posts.create":{"app":1000000,"member":100000}}}""");
        }
    }
}
