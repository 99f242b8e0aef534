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
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Idempotency is per (accountId, jobId): one account's result is never handed to another (CONTRACT §3). */
@QuarkusTest
@WithTestResource(CourierServices.class)
class TenantIsolationTest extends PipelineTestSupport {

    @Test
    void aJobIdAnotherAccountUsedIsThatAccountsOwnJob() throws Exception {
        Connected first = connect(simulator, "{}");
        Connected second = connect(simulator, "{}");
        String jobId = "shared-" + UUID.randomUUID();
        kafka.send("linkedin.jobs.post", first.accountId(), job(jobId, "post.create", first.accountId(),
                """
                        {"author":"%s","commentary":"first %s"}""".formatted(first.memberUrn(), jobId)));
        JsonNode firstResult = resultOf(jobId);
        assertThat(firstResult.get("accountId").asText()).isEqualTo(first.accountId());

        kafka.send("linkedin.jobs.post", second.accountId(), job(jobId, "post.create", second.accountId(),
                """
                        {"author":"%s","commentary":"second %s"}""".formatted(second.memberUrn(), jobId)));
        List<JsonNode> results = kafka.await("linkedin.jobs.results",
                r -> KafkaTestClient.text(r).contains(jobId) && second.accountId().equals(r.key()), 1, WAIT)
                .stream().map(r -> read(KafkaTestClient.text(r))).toList();
        JsonNode secondResult = results.get(0);
        assertThat(secondResult.get("accountId").asText()).isEqualTo(second.accountId());
        assertThat(secondResult.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(secondResult.at("/data/postUrn").asText()).isNotEqualTo(firstResult.at("/data/postUrn").asText());
        assertThat(simulator.call("GET", "/sim/posts?author=" + second.memberUrn(), null))
                .as("the second account's own post was published").hasSize(1);
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
