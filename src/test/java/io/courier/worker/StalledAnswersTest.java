package io.courier.worker;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * LinkedIn answers that stall after their headers (issue #14): each call ends at the whole-answer deadline
 * (courier.linkedin.request-timeout, 2 s in tests) and gives its call slot back, the job is retried as NETWORK, and
 * LinkedIn's duplicate detection turns the retry of a post that the stalled call did create into a success.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class StalledAnswersTest extends PipelineTestSupport {

    private static final int JOBS = 100;
    private static final int STALLED = 80;

    @Test
    void everyPostJobSucceedsWithOnePostWhenEightyAnswersStallAfterTheirHeaders() throws Exception {
        Map<String, Connected> accountOfJob = new HashMap<>();
        Map<String, String> jobs = new HashMap<>();
        for (int i = 0; i < JOBS; i++) {
            Connected account = connect(simulator, "{}");
            String jobId = "stalled-" + UUID.randomUUID();
            accountOfJob.put(jobId, account);
            jobs.put(jobId, job(jobId, "post.create", account.accountId(), """
                    {"author":"%s","commentary":"an answer that may stall %s"}""".formatted(account.memberUrn(),
                    jobId)));
        }
        // Far longer than any deadline: only the client giving up ends these calls.
        simulator.fault("""
                {"method":"POST","path":"/rest/posts","mode":"stall","latencyMs":120000,\
                "times":%s}""".formatted(STALLED));
        jobs.forEach((jobId, json) -> kafka.sendAsync("linkedin.jobs.post", accountOfJob.get(jobId).accountId(), json));
        kafka.flush();

        // 90 s: well inside the stalls' 120 s, so only Courier's own deadline can have ended them (today's code: 0
        // results).
        var results = kafka.await("linkedin.jobs.results",
                r -> jobs.containsKey(jobIdOf(r)), JOBS, Duration.ofSeconds(90));

        for (ConsumerRecord<String, byte[]> record : results) {
            JsonNode result = JSON.readTree(KafkaTestClient.text(record));
            String jobId = result.get("jobId").asText();
            assertThat(result.get("status").asText()).as(jobId + ": " + result).isEqualTo("SUCCEEDED");
            JsonNode posts = simulator.call("GET", "/sim/posts?author="
                    + URLEncoder.encode(accountOfJob.get(jobId).memberUrn(), StandardCharsets.UTF_8), null);
            assertThat(posts).as("LinkedIn's posts of " + jobId).hasSize(1);
            assertThat(posts.get(0).get("id").asText()).isEqualTo(result.at("/data/postUrn").asText());
        }
        assertThat(results).hasSize(JOBS);
        long duplicates = results.stream().filter(r -> KafkaTestClient.text(r).contains("\"duplicate\":true")).count();
        assertThat(duplicates).as("jobs whose stalled call had created the post, found again by LinkedIn's 422")
                .isBetween(1L, (long) STALLED);
    }

    private static String jobIdOf(ConsumerRecord<String, byte[]> record) {
        String text = KafkaTestClient.text(record);
        int at = text.indexOf("\"jobId\":\"");
        return at < 0 ? "" : text.substring(at + 9, text.indexOf('"', at + 9));
    }
}
