package io.courier.worker;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.courier.testkit.KafkaTestClient.header;
import static io.courier.testkit.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.retry.CourierHeaders;
import io.courier.testkit.AccountFixtures;
import io.courier.testkit.ConnectedAccounts;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Outages that last longer than a retry ladder end by themselves: LinkedIn answering 503 for a minute, the token
 * endpoint answering 503 while an account's access token has expired. Nothing is dead-lettered for them, nothing
 * spins, and other accounts keep flowing.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class OutageTest extends PipelineTestSupport {

    private static final Duration OUTAGE = Duration.ofSeconds(60);

    @Test
    void aMinuteOfPostOutageDelaysEveryJobAndPublishesEachOnce() throws Exception {
        List<Connected> accounts = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            accounts.add(connect(simulator, "{}"));
        }
        simulator.fault("""
                {"method":"POST","path":"/rest/posts","status":503,"times":-1}""");
        Instant outageStarts = Instant.now();
        Set<String> jobIds = new HashSet<>();
        for (int n = 0; n < 4; n++) {
            for (Connected account : accounts) {
                String job = job("post.create", account.accountId(), """
                        {"author":"%s",\
                        "commentary":"outage %s %s"}""".formatted(account.memberUrn(), n, UUID.randomUUID()));
                jobIds.add(JSON.readTree(job).get("jobId").asText());
                kafka.sendAsync("linkedin.jobs.post", account.accountId(), job);
            }
        }
        kafka.flush();
        Thread.sleep(Duration.between(Instant.now(), outageStarts.plus(OUTAGE)).toMillis());
        simulator.clearFaults();

        List<JsonNode> results = new ArrayList<>();
        for (var r : kafka.await("linkedin.jobs.results", r -> jobIds.contains(jobIdOf(r)), 100,
                Duration.ofSeconds(90))) {
            results.add(JSON.readTree(text(r)));
        }
        assertThat(results).extracting(r -> r.get("status").asText()).containsOnly("SUCCEEDED");
        assertThat(kafka.readAll("linkedin.jobs.dlq", Duration.ofSeconds(1)))
                .noneMatch(r -> jobIds.contains(header(r, CourierHeaders.JOB_ID)));
        for (Connected account : accounts) {
            assertThat(simulator.call("GET", "/sim/posts?author=" + account.memberUrn(), null))
                    .as("one post per job of " + account.accountId()).hasSize(4);
        }
    }

    @Test
    void aTokenEndpointOutageIsADelayNotALoopAndTheSamePartitionKeepsFlowing() throws Exception {
        Connected expired = connect(simulator, "{}");
        AccountFixtures.importTokens(expired.accountId(), expired.member(), Instant.now().minusSeconds(60), true);
        List<Connected> neighbours = ConnectedAccounts.onPartitionOf(simulator, expired.accountId(), 6, 3);
        simulator.call("DELETE", "/sim/requests", null);
        simulator.fault("""
                {"method":"POST","path":"/oauth/v2/accessToken","status":503,"times":-1}""");
        Instant outageStarts = Instant.now();
        String stuck = job("sync.profile", expired.accountId(), "{}");
        kafka.send("linkedin.jobs.sync", expired.accountId(), stuck);
        List<String> neighbourJobs = new ArrayList<>();
        for (Connected other : neighbours) {
            String job = job("sync.profile", other.accountId(), "{}");
            neighbourJobs.add(JSON.readTree(job).get("jobId").asText());
            kafka.send("linkedin.jobs.sync", other.accountId(), job);
        }

        for (String jobId : neighbourJobs) {
            JsonNode result = resultOf(jobId);
            assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(Instant.parse(result.get("finishedAt").asText())).as("during the outage")
                    .isBefore(outageStarts.plus(OUTAGE));
        }
        Thread.sleep(Duration.between(Instant.now(), outageStarts.plus(OUTAGE)).toMillis());
        long tokenCalls = tokenCalls();
        simulator.clearFaults();

        // Its last wait began before the outage ended: as long as it had been failing, at most the test profile's
        // max-delay (10 s).
        String stuckId = JSON.readTree(stuck).get("jobId").asText();
        JsonNode result = JSON.readTree(text(kafka.await("linkedin.jobs.results", r -> text(r).contains(stuckId), 1,
                OUTAGE.plus(WAIT)).get(0)));
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        // A delay per failed refresh (1 s, then growing with the outage's length): a handful, not thousands.
        assertThat(tokenCalls).as("token calls during a %s outage", OUTAGE).isBetween(2L, 20L);
        assertThat(AccountFixtures.types(AccountFixtures.events(kafka, expired.accountId())))
                .as("a 503 says nothing about the grant").isEmpty();
        assertThat(AccountFixtures.status(expired.accountId())).isEqualTo("CONNECTED");
    }

    private long tokenCalls() {
        long n = 0;
        for (JsonNode r : simulator.requests()) {
            if (r.get("path").asText().equals("/oauth/v2/accessToken")) {
                n++;
            }
        }
        return n;
    }

    private static String jobIdOf(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r) {
        String value = text(r);
        int at = value.indexOf("\"jobId\":\"");
        return at < 0 ? "" : value.substring(at + 9, value.indexOf('"', at + 9));
    }
}
