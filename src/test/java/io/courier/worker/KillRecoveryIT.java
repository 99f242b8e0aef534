package io.courier.worker;

import io.courier.testkit.CourierJar;
import io.courier.testkit.CourierServices;
import io.courier.testkit.JobStream;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.SimulatorControl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL mid-stream, then restart: every job ends exactly once in results or the DLQ, and no post is published
 * twice. Runs the packaged jar as a real process against real Kafka, PostgreSQL and the simulator.
 */
class KillRecoveryIT {

    private static final int JOBS = 400;

    @Test
    void aWorkerKilledWithSigkillLosesNoJobAndRepeatsNone() throws Exception {
        Map<String, String> services = CourierServices.coordinates();
        SimulatorControl simulator = new SimulatorControl(services.get("courier.linkedin.api-base-url"));
        int port = CourierJar.freePort();
        Map<String, String> env = CourierJar.env(services, port, "kill-" + UUID.randomUUID());
        Path log = Path.of("target/kill-recovery-courier.log");

        Process first = CourierJar.start(env, port, log);
        JobStream stream = new JobStream(simulator, port, 20);
        simulator.call("PUT", "/sim/latency", """
                {"ms":30}""");
        try (KafkaTestClient kafka = new KafkaTestClient(services.get("courier.kafka.bootstrap-servers"))) {
            stream.publish(kafka, JOBS);
            stream.awaitResults(kafka, JOBS / 4, Duration.ofMinutes(2));
            first.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no drain, no commit
            Process second = CourierJar.start(env, port, log);
            try {
                stream.assertEachJobExactlyOnce(kafka, simulator);
            } finally {
                second.destroy();
                second.waitFor();
                simulator.call("PUT", "/sim/latency", """
                        {"ms":0}""");
            }
        }
    }
}
