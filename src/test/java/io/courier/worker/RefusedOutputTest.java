package io.courier.worker;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.courier.testkit.KafkaTestClient.header;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.retry.CourierHeaders;
import io.courier.testkit.ConnectedAccounts;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * The broker refuses one job's result (the results topic takes smaller records than Courier's producer may send:
 * its max.message.bytes is below courier.kafka.max-request-size).
 * That must not abort the other jobs' outputs for ever: the job is dead-lettered, its neighbours succeed.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class RefusedOutputTest extends PipelineTestSupport {

    @Test
    void aResultTheBrokerRefusesEndsItsJobAndTheOthersGoOut() throws Exception {
        Connected author = connect(simulator, "{}");
        for (int i = 0; i < 10; i++) {
            String post = job("post.create", author.accountId(), """
                    {"author":"%s",\
                    "commentary":"%s%s"}""".formatted(author.memberUrn(), ("long " + i + " ").repeat(400),
                    UUID.randomUUID()));
            kafka.send("linkedin.jobs.post", author.accountId(), post);
            assertThat(resultOf(JSON.readTree(post).get("jobId").asText()).get("status").asText())
                    .isEqualTo("SUCCEEDED");
        }
        List<Connected> neighbours = ConnectedAccounts.onPartitionOf(simulator, author.accountId(), 6, 3);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            // Above the producer's batch.size (16 KiB), as real topic limits are: the producer splits a refused batch
            // down to the lone record, which the broker then refuses with RecordTooLargeException.
            limitResults(admin, "20000");
            try {
                String sync = job("sync.posts", author.accountId(), """
                        {"author":"%s"}""".formatted(author.memberUrn()));
                kafka.send("linkedin.jobs.sync", author.accountId(), sync);
                List<String> others = new ArrayList<>();
                for (Connected other : neighbours) {
                    String profile = job("sync.profile", other.accountId(), "{}");
                    others.add(JSON.readTree(profile).get("jobId").asText());
                    kafka.send("linkedin.jobs.sync", other.accountId(), profile);
                }
                // The producer retries a refused record until courier.kafka.produce-timeout (30 s), then gives it up.
                for (String jobId : others) {
                    var result = kafka.await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains(jobId), 1,
                            Duration.ofSeconds(90)).get(0);
                    assertThat(JSON.readTree(KafkaTestClient.text(result)).get("status").asText())
                            .isEqualTo("SUCCEEDED");
                }
                String syncId = JSON.readTree(sync).get("jobId").asText();
                var dead = kafka
                        .await("linkedin.jobs.dlq", r -> syncId.equals(header(r, CourierHeaders.JOB_ID)), 1, WAIT)
                        .get(0);
                assertThat(header(dead, CourierHeaders.ERROR_CLASS)).isEqualTo("INTERNAL");
                assertThat(header(dead, CourierHeaders.ERROR_MESSAGE)).contains("Kafka refused this job's output");
                JsonNode result = resultOf(syncId);
                assertThat(result.get("status").asText()).isEqualTo("DEAD_LETTERED");
            } finally {
                limitResults(admin, null);
            }
        }
    }

    private static void limitResults(Admin admin, String maxMessageBytes) throws Exception {
        ConfigResource results = new ConfigResource(ConfigResource.Type.TOPIC, "linkedin.jobs.results");
        ConfigEntry entry = new ConfigEntry("max.message.bytes", maxMessageBytes == null ? "" : maxMessageBytes);
        Collection<AlterConfigOp> ops = List.of(new AlterConfigOp(entry,
                maxMessageBytes == null ? AlterConfigOp.OpType.DELETE : AlterConfigOp.OpType.SET));
        admin.incrementalAlterConfigs(Map.of(results, ops)).all().get();
    }

}
