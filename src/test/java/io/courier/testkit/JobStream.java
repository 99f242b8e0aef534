package io.courier.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.retry.CourierHeaders;
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

/**
 * A stream of post and sync jobs over connected accounts, for the tests that kill, stop or add workers mid-stream,
 * and the check they all end with: every job exactly once in the results, none dead-lettered, no post twice.
 */
public final class JobStream {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String prefix = "stream-" + UUID.randomUUID();
    private final Map<String, String> memberOf = new HashMap<>();
    private final Set<String> jobIds = new HashSet<>();
    private final Map<String, Integer> postsPerAuthor = new HashMap<>();

    /** Connects {@code accounts} simulator members through the Courier listening on {@code port}. */
    public JobStream(SimulatorControl simulator, int port, int accounts) throws Exception {
        for (int i = 0; i < accounts; i++) {
            JsonNode m = simulator.newMember("{}");
            String account = prefix + "-acct-" + i;
            CourierJar.importTokens(port, account, m);
            memberOf.put(account, m.get("memberUrn").asText());
        }
    }

    /** Publishes {@code jobs} jobs round-robin, every other one a post. */
    public void publish(KafkaTestClient kafka, int jobs) {
        List<String> accounts = new ArrayList<>(memberOf.keySet());
        for (int i = 0; i < jobs; i++) {
            String account = accounts.get(i % accounts.size());
            String jobId = prefix + "-" + UUID.randomUUID();
            jobIds.add(jobId);
            boolean post = i % 2 == 0;
            String payload = post ? """
                    {"author":"%s","commentary":"stream %s"}""".formatted(memberOf.get(account), jobId) : "{}";
            if (post) {
                postsPerAuthor.merge(memberOf.get(account), 1, Integer::sum);
            }
            kafka.sendAsync(post ? "linkedin.jobs.post" : "linkedin.jobs.sync", account,
                    ConnectedAccounts.job(jobId, post ? "post.create" : "sync.profile", account, payload));
        }
        kafka.flush();
    }

    /** Waits until at least {@code count} of this stream's jobs have a result. */
    public void awaitResults(KafkaTestClient kafka, int count, Duration within) {
        kafka.await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains("\"" + prefix), count, within);
    }

    /** Every job exactly once in the results, none in the DLQ, and each author's posts published once each. */
    public void assertEachJobExactlyOnce(KafkaTestClient kafka, SimulatorControl simulator) throws Exception {
        awaitResults(kafka, jobIds.size(), Duration.ofMinutes(3));
        List<String> outcomes = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : kafka.readAll("linkedin.jobs.results", Duration.ofSeconds(3))) {
            JsonNode result = JSON.readTree(r.value());
            if (jobIds.contains(result.get("jobId").asText())) {
                outcomes.add(result.get("jobId").asText());
            }
        }
        assertThat(new HashSet<>(outcomes)).isEqualTo(jobIds);
        Set<String> twice = outcomes.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting())).entrySet()
                .stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).collect(Collectors.toSet());
        assertThat(twice).as("jobIds with more than one result").isEmpty();
        List<String> deadLetters = kafka.readAll("linkedin.jobs.dlq", Duration.ofSeconds(1)).stream()
                .map(r -> KafkaTestClient.header(r, CourierHeaders.JOB_ID)).filter(jobIds::contains).toList();
        assertThat(deadLetters).isEmpty();
        for (var author : postsPerAuthor.entrySet()) {
            assertThat(simulator.call("GET", "/sim/posts?author=" + author.getKey(), null).size())
                    .as("posts of %s", author.getKey()).isEqualTo(author.getValue());
        }
    }
}
