package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.retry.CourierHeaders;
import io.courier.testkit.ConnectedAccounts;
import io.courier.testkit.CourierJar;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.SimulatorControl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL mid-stream, then restart: every job ends exactly once in results or the DLQ, and no post is published
 * twice. Runs the packaged jar as a real process against real Kafka, PostgreSQL and the simulator.
 */
class KillRecoveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ACCOUNTS = 20;
    private static final int JOBS = 400;

    @Test
    void aWorkerKilledWithSigkillLosesNoJobAndRepeatsNone() throws Exception {
        Map<String, String> services = CourierServices.coordinates();
        SimulatorControl simulator = new SimulatorControl(services.get("courier.linkedin.api-base-url"));
        int port = CourierJar.freePort();
        Map<String, String> env = CourierJar.env(services, port, "kill-" + UUID.randomUUID());

        Process first = start(env, port);
        Map<String, String> memberOf = connectAccounts(simulator, port);
        simulator.call("PUT", "/sim/latency", "{\"ms\":30}");
        Set<String> jobIds = new HashSet<>();
        Map<String, Integer> postsPerAuthor = new HashMap<>();
        try (KafkaTestClient kafka = new KafkaTestClient(services.get("courier.kafka.bootstrap-servers"))) {
            List<String> accounts = new ArrayList<>(memberOf.keySet());
            for (int i = 0; i < JOBS; i++) {
                String account = accounts.get(i % ACCOUNTS);
                String jobId = "kill-" + UUID.randomUUID();
                jobIds.add(jobId);
                boolean post = i % 2 == 0;
                String payload = post ? "{\"author\":\"" + memberOf.get(account) + "\",\"commentary\":\"kill test " + jobId + "\"}" : "{}";
                if (post) {
                    postsPerAuthor.merge(memberOf.get(account), 1, Integer::sum);
                }
                kafka.sendAsync(post ? "linkedin.jobs.post" : "linkedin.jobs.sync", account,
                        ConnectedAccounts.job(jobId, post ? "post.create" : "sync.profile", account, payload));
            }
            kafka.flush();

            kafka.await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains("\"kill-"), JOBS / 4, Duration.ofMinutes(2));
            first.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no drain, no commit
            Process second = start(env, port);
            try {
                kafka.await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains("\"kill-"), JOBS, Duration.ofMinutes(3));
                List<String> outcomes = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> r : kafka.readAll("linkedin.jobs.results", Duration.ofSeconds(3))) {
                    JsonNode result = JSON.readTree(r.value());
                    if (jobIds.contains(result.get("jobId").asText())) {
                        outcomes.add(result.get("jobId").asText());
                    }
                }
                assertThat(new HashSet<>(outcomes)).isEqualTo(jobIds);
                assertThat(duplicates(outcomes)).as("jobIds with more than one result").isEmpty();
                List<String> deadLetters = kafka.readAll("linkedin.jobs.dlq", Duration.ofSeconds(1)).stream()
                        .map(r -> KafkaTestClient.header(r, CourierHeaders.JOB_ID)).filter(jobIds::contains).toList();
                assertThat(deadLetters).isEmpty();
                for (var author : postsPerAuthor.entrySet()) {
                    assertThat(simulator.call("GET", "/sim/posts?author=" + author.getKey(), null).size())
                            .as("posts of %s", author.getKey()).isEqualTo(author.getValue());
                }
            } finally {
                second.destroy();
                second.waitFor();
                simulator.call("PUT", "/sim/latency", "{\"ms\":0}");
            }
        }
    }

    private static Set<String> duplicates(List<String> ids) {
        return ids.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting())).entrySet().stream()
                .filter(e -> e.getValue() > 1).map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    private Map<String, String> connectAccounts(SimulatorControl simulator, int port) throws Exception {
        Map<String, String> memberOf = new HashMap<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            JsonNode m = simulator.newMember("{}");
            String account = "kill-acct-" + UUID.randomUUID();
            CourierJar.importTokens(port, account, m);
            memberOf.put(account, m.get("memberUrn").asText());
        }
        return memberOf;
    }

    private static Process start(Map<String, String> env, int port) throws Exception {
        return CourierJar.start(env, port, Path.of("target/kill-recovery-courier.log"));
    }
}
