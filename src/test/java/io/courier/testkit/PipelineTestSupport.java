package io.courier.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** What every end-to-end @QuarkusTest needs: a Kafka client, the simulator's controls, and a job's result. */
public abstract class PipelineTestSupport {

    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final Duration WAIT = Duration.ofSeconds(40);

    @ConfigProperty(name = "courier.kafka.bootstrap-servers")
    protected String bootstrap;
    @ConfigProperty(name = "courier.linkedin.api-base-url")
    protected String simulatorUrl;

    protected KafkaTestClient kafka;
    protected SimulatorControl simulator;

    @BeforeEach
    void connectClients() {
        kafka = new KafkaTestClient(bootstrap);
        simulator = new SimulatorControl(simulatorUrl);
    }

    @AfterEach
    void closeClients() {
        simulator.clearFaults();
        kafka.close();
    }

    /** The result event of a job, waiting for it. */
    protected JsonNode resultOf(String jobId) throws IOException {
        return JSON.readTree(KafkaTestClient.text(kafka.await("linkedin.jobs.results",
                r -> KafkaTestClient.text(r).contains("\"" + jobId + "\""), 1, WAIT).get(0)));
    }
}
