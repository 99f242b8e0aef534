package io.courier.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** What every end-to-end @QuarkusTest needs: a Kafka client, the simulator's controls, and a job's result. */
public abstract class PipelineTestSupport {

    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final Duration WAIT = Duration.ofSeconds(40);

    /** Courier's own PostgreSQL, for tests that make it fail on purpose (triggers) or look at its rows. */
    @Inject
    protected DataSource db;
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

    /** Runs SQL on Courier's database. */
    protected void sql(String statements) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }

    /** The result event of a job, waiting for it. */
    protected JsonNode resultOf(String jobId) throws IOException {
        return JSON.readTree(KafkaTestClient.text(kafka.await("linkedin.jobs.results",
                r -> KafkaTestClient.text(r).contains("\"" + jobId + "\""), 1, WAIT).get(0)));
    }
}
