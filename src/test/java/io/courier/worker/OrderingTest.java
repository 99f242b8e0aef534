package io.courier.worker;

import static io.courier.testkit.ConnectedAccounts.onPartitionOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * One account's jobs stay in order through retries (issue #19 point 4, courier.worker.ordering=per-account): while
 * a job of the account waits in a retry tier its later jobs on the topic wait behind it, and other accounts on the
 * same partition flow past.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class OrderingTest extends PipelineTestSupport {

    private static final String POSTS = "linkedin.jobs.post";

    private static String post(Connected account, String jobId, String text) {
        ObjectNode job = JSON.createObjectNode().put("jobId", jobId).put("type", "post.create")
                .put("accountId", account.accountId()).put("createdAt", Instant.now().toString());
        job.putObject("payload").put("author", account.memberUrn()).put("commentary", text);
        return job.toString();
    }

    @Test
    void aThrottledJobHoldsItsAccountsLaterJobsButNoOtherAccounts() throws Exception {
        String run = UUID.randomUUID().toString();
        List<Connected> accounts = onPartitionOf(simulator, "ordering-" + run, 6, 2);
        Connected a = accounts.get(0);
        Connected b = accounts.get(1);
        simulator.fault("""
                {"method":"POST","path":"/rest/posts","status":429,"times":2,"accessToken":"%s"}"""
                .formatted(a.member().get("accessToken").asText()));

        List<String> jobsOfA = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            jobsOfA.add(run + "-a" + i);
            kafka.send(POSTS, a.accountId(), post(a, run + "-a" + i, "a" + i));
        }
        List<String> jobsOfB = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            jobsOfB.add(run + "-b" + i);
            kafka.send(POSTS, b.accountId(), post(b, run + "-b" + i, "b" + i));
        }

        List<JsonNode> results = kafka.await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains(run), 8,
                WAIT).stream().map(r -> {
                    try {
                        return JSON.readTree(KafkaTestClient.text(r));
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
        List<String> order = results.stream().map(r -> r.get("jobId").asText()).toList();
        assertThat(results).allMatch(r -> r.get("status").asText().equals("SUCCEEDED"));
        assertThat(order.stream().filter(jobsOfA::contains).toList()).as("A's jobs finish in their order")
                .containsExactlyElementsOf(jobsOfA);
        assertThat(order.indexOf(run + "-b3")).as("B flows past A's throttled job")
                .isLessThan(order.indexOf(run + "-a1"));
        assertThat(results.get(order.indexOf(run + "-a1")).get("attempts").asInt()).isEqualTo(3);
        assertThat(results.stream().filter(r -> r.get("jobId").asText().startsWith(run + "-a"))
                .filter(r -> !r.get("jobId").asText().endsWith("-a1")).map(r -> r.get("attempts").asInt()))
                .as("the held jobs were never tried before their turn").containsOnly(1);
        List<String> published = StreamSupport.stream(simulator.call("GET", "/sim/posts?author=" + a.memberUrn(),
                null).spliterator(), false).map(p -> p.get("commentary").asText()).toList();
        assertThat(published).as("newest first").containsExactly("a5", "a4", "a3", "a2", "a1");
        Instant a1Done = Instant.parse(results.get(order.indexOf(run + "-a1")).get("finishedAt").asText());
        assertThat(Instant.parse(results.get(order.indexOf(run + "-a2")).get("finishedAt").asText()))
                .isAfterOrEqualTo(a1Done);
    }
}
