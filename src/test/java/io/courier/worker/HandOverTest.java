package io.courier.worker;

import static io.courier.testkit.AccountFixtures.calls;
import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.courier.testkit.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.testkit.AccountFixtures;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A job still running when its partition is handed over (here: the loops stop, as on SIGTERM or a rebalance) must be
 * cancelled before the next owner can take it, or two owners run it at once. A sync of 13 slow pages outlasts the
 * drain timeout; once the old owner has let go it makes no further LinkedIn call, and the next owner's run is the one
 * that ends the job, once.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class HandOverTest extends PipelineTestSupport {

    @Inject
    JobConsumer workers;
    @Inject
    WorkerConfig config;
    @ConfigProperty(name = "courier.linkedin.version")
    String linkedInVersion;

    @Test
    void aJobRunningPastTheDrainIsCancelledBeforeThePartitionIsHandedOver() throws Exception {
        Connected author = connect(simulator, "{}");
        AccountFixtures.createPosts(simulatorUrl, linkedInVersion, author, 12, 10);
        String sync = job("sync.posts", author.accountId(), """
                {"author":"%s","pageSize":1}""".formatted(author.memberUrn()));
        String jobId = JSON.readTree(sync).get("jobId").asText();
        simulator.call("PUT", "/sim/latency", """
                {"ms":1000}"""); // 13 pages: about 13 s, longer than the 5 s drain
        Duration handOver;
        int callsWhenHandedOver;
        try {
            kafka.send("linkedin.jobs.sync", author.accountId(), sync);
            await().atMost(WAIT).until(() -> calls(simulator, author, "GET", "/rest/posts") >= 2);
            Instant stopping = Instant.now();
            workers.stop(null);
            handOver = Duration.between(stopping, Instant.now());
            // The call the cancel aborted reaches the simulator's log only after its 1 s latency: let it land first.
            Thread.sleep(1500);
            callsWhenHandedOver = calls(simulator, author, "GET", "/rest/posts");
            Thread.sleep(3000); // the old run would have read three more pages by now
            assertThat(calls(simulator, author, "GET", "/rest/posts")).as("calls after the hand-over")
                    .isEqualTo(callsWhenHandedOver);
        } finally {
            simulator.call("PUT", "/sim/latency", """
                    {"ms":0}""");
            workers.start(null);
        }
        assertThat(handOver).isLessThan(config.drainTimeout().plusSeconds(5 + 3));
        assertThat(callsWhenHandedOver).as("the old run was cut short").isLessThan(13);
        assertThat(resultOf(jobId).at("/data/count").asInt()).isEqualTo(12);
        assertThat(kafka.readAll("linkedin.jobs.results", Duration.ofSeconds(2)))
                .filteredOn(r -> text(r).contains(jobId)).hasSize(1);
    }
}
