package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testkit.CourierJar;
import io.courier.testkit.CourierServices;
import io.courier.testkit.JobStream;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.SimulatorControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What Kubernetes does to pods: SIGTERM mid-stream (drain, commit, exit within the grace period, then a new pod),
 * and pods joining and leaving a consumer group mid-stream. Every job must finish exactly once.
 */
class ShutdownAndRebalanceIT {

    /** k8s/base/deployment.yaml's terminationGracePeriodSeconds. */
    private static final Duration GRACE = Duration.ofSeconds(45);

    @Test
    void sigtermDrainsCommitsAndExitsWithinTheGracePeriod() throws Exception {
        Map<String, String> services = CourierServices.coordinates();
        SimulatorControl simulator = new SimulatorControl(services.get("courier.linkedin.api-base-url"));
        int port = CourierJar.freePort();
        Map<String, String> env = CourierJar.env(services, port, "sigterm-" + UUID.randomUUID());
        Path log = Path.of("target/sigterm-courier.log");
        Files.deleteIfExists(log);
        Process first = CourierJar.start(env, port, log);
        JobStream stream = new JobStream(simulator, port, 20);
        simulator.call("PUT", "/sim/latency", """
                {"ms":100}""");
        try (KafkaTestClient kafka = new KafkaTestClient(services.get("courier.kafka.bootstrap-servers"))) {
            stream.publish(kafka, 300);
            stream.awaitResults(kafka, 60, Duration.ofMinutes(2));
            long start = System.nanoTime();
            first.destroy(); // SIGTERM, as the kubelet sends it
            assertThat(first.waitFor(GRACE.toSeconds(), TimeUnit.SECONDS)).as("exited within the grace period")
                    .isTrue();
            System.out.printf("SIGTERM to exit: %d ms, exit code %d%n", (System.nanoTime() - start) / 1_000_000,
                    first.exitValue());
            assertThat(Files.readString(log)).contains("consumer stopped");
            Process second = CourierJar.start(env, port, log);
            try {
                stream.assertEachJobExactlyOnce(kafka, simulator);
            } finally {
                second.destroy();
                second.waitFor();
            }
        } finally {
            simulator.call("PUT", "/sim/latency", """
                    {"ms":0}""");
        }
    }

    @Test
    void podsJoiningAndLeavingLoseNoJobAndRunNoneTwice() throws Exception {
        Map<String, String> services = CourierServices.coordinates();
        SimulatorControl simulator = new SimulatorControl(services.get("courier.linkedin.api-base-url"));
        String group = "rebalance-" + UUID.randomUUID();
        int portA = CourierJar.freePort();
        int portB = CourierJar.freePort();
        Path logB = Path.of("target/rebalance-courier-b.log");
        Files.deleteIfExists(logB);
        // Slow workers (4 jobs at a time, 300 ms per call: 400 jobs take A about 30 s), so that the stream is still
        // flowing when pods come and go. At 200 ms A once finished 2 s before B (10 s to start) got its partitions.
        Map<String, String> envA = CourierJar.env(services, portA, group);
        Map<String, String> envB = CourierJar.env(services, portB, group);
        envA.put("COURIER_WORKER_CONCURRENCY", "4");
        envB.put("COURIER_WORKER_CONCURRENCY", "4");
        Process a = CourierJar.start(envA, portA, Path.of("target/rebalance-courier-a.log"));
        Process b = null;
        JobStream stream = new JobStream(simulator, portA, 20);
        simulator.call("PUT", "/sim/latency", """
                {"ms":300}""");
        try (KafkaTestClient kafka = new KafkaTestClient(services.get("courier.kafka.bootstrap-servers"))) {
            stream.publish(kafka, 400);
            stream.awaitResults(kafka, 40, Duration.ofMinutes(2));
            b = CourierJar.start(envB, portB, logB); // a pod joins
            stream.awaitResults(kafka, 200, Duration.ofMinutes(2));
            a.destroy(); // and the first one leaves
            assertThat(a.waitFor(GRACE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            stream.assertEachJobExactlyOnce(kafka, simulator);
            assertThat(Files.readString(logB)).as("the pod that joined did work").contains("job succeeded");
        } finally {
            simulator.call("PUT", "/sim/latency", """
                    {"ms":0}""");
            a.destroyForcibly();
            if (b != null) {
                b.destroy();
                b.waitFor();
            }
        }
    }
}
