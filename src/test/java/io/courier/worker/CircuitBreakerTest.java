package io.courier.worker;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.courier.testkit.KafkaTestClient.header;
import static io.courier.testkit.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.retry.CourierHeaders;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.SimulatorControl;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** When LinkedIn keeps failing on a resource, its breaker opens: jobs wait in the tiers instead of hammering it. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class CircuitBreakerTest {

    @ConfigProperty(name = "courier.kafka.bootstrap-servers")
    String bootstrap;
    @ConfigProperty(name = "courier.linkedin.api-base-url")
    String simulatorUrl;

    @Test
    void anOpenBreakerDelaysJobsThroughTheTiersAndShowsInHealth() throws Exception {
        SimulatorControl simulator = new SimulatorControl(simulatorUrl);
        simulator.fault("""
                {"method":"GET","path":"/rest/organizationAcls","status":503,"times":-1}""");
        List<String> jobIds = new ArrayList<>();
        try (KafkaTestClient kafka = new KafkaTestClient(bootstrap)) {
            for (int i = 0; i < 8; i++) {
                Connected account = connect(simulator, "{}");
                String jobId = "cb-" + UUID.randomUUID();
                jobIds.add(jobId);
                kafka.send("linkedin.jobs.sync", account.accountId(),
                        job(jobId, "sync.org-acls", account.accountId(), "{}"));
            }
            var opened = kafka.await("linkedin.jobs.retry.1s", r -> jobIds.contains(header(r, CourierHeaders.JOB_ID))
                    && header(r, CourierHeaders.ERROR_MESSAGE).contains("circuit breaker open"), 1,
                    Duration.ofSeconds(40)).get(0);
            assertThat(header(opened, CourierHeaders.ERROR_CLASS)).isEqualTo("SERVER_ERROR");
            assertThat(RestAssured.get("/q/health/ready").asString()).contains("degraded")
                    .contains("linkedin.organizationAcls");
            assertThat(RestAssured.get("/q/metrics").asString()).contains("ft_circuitbreaker_opened_total")
                    .containsPattern("courier_consumer_lag\\{topic=\"linkedin.jobs.retry.1s\"}");
            long calls = simulator.requests().findValuesAsText("path").stream().filter("/rest/organizationAcls"::equals)
                    .count();
            assertThat(calls).as("calls LinkedIn saw while 8 jobs failed").isLessThan(16);

            simulator.clearFaults();
            kafka.await("linkedin.jobs.results", r -> jobIds.stream().anyMatch(id -> text(r).contains(id)),
                    jobIds.size(),
                    Duration.ofSeconds(60));
        }
    }
}
