package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testkit.BrokerProcess;
import io.courier.testkit.CourierJar;
import io.courier.testkit.CourierServices;
import io.courier.testkit.JobStream;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.SimulatorControl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Kafka unreachable while Courier starts, and frozen (SIGSTOP) in the middle of a drain: the poll loops wait and
 * come back by themselves (CONTRACT §6 "every failure ends"), every job ends exactly once, and liveness is DOWN while
 * the loops cannot go round. Runs the packaged jar against a broker in a process of its own (BrokerProcess), since
 * the in-JVM broker of CourierServices can be neither started late nor frozen; PostgreSQL, Redis and the simulator
 * come from CourierServices.
 */
class BrokerOutageIT {

    /** The contract's topics with the default retry tiers; Courier creates them (courier.topics.create-missing). */
    private static final List<String> TOPICS = List.of("linkedin.jobs.post", "linkedin.jobs.sync", "linkedin.jobs.dlq",
            "linkedin.jobs.results", "linkedin.auth.events", "linkedin.jobs.retry.1s", "linkedin.jobs.retry.10s",
            "linkedin.jobs.retry.1m", "linkedin.jobs.retry.10m", "linkedin.jobs.retry.1h");

    private final Map<String, String> services = CourierServices.coordinates();
    private final SimulatorControl simulator = new SimulatorControl(services.get("courier.linkedin.api-base-url"));

    @Test
    void startsWhileTheBrokerIsUnreachableAndWorksOnceItIsUp() throws Exception {
        try (BrokerProcess broker = new BrokerProcess("late")) {
            int port = CourierJar.freePort();
            Map<String, String> env = courierEnv(broker.bootstrapServers(), port, "late");
            long launched = System.nanoTime();
            Process courier = CourierJar.startAnswering(env, port, log("late"));
            try {
                // Nothing listens on the bootstrap port for the first 20 s: the loops' first tries fail.
                Thread.sleep(Math.max(0, Duration.ofSeconds(20).minusNanos(System.nanoTime() - launched).toMillis()));
                assertThat(courier.isAlive()).as("Courier keeps running while Kafka is unreachable").isTrue();
                assertThat(CourierJar.health(port, "ready").status()).isEqualTo(503);

                broker.start();
                broker.awaitTopics(TOPICS, Duration.ofSeconds(90));
                awaitHealth(port, "ready", 200, Duration.ofSeconds(60));
                JobStream stream = new JobStream(simulator, port, 10);
                try (KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers())) {
                    stream.publish(kafka, 200);
                    stream.assertEachJobExactlyOnce(kafka, simulator);
                }
                assertThat(CourierJar.health(port, "live").status()).isEqualTo(200);
            } finally {
                stop(courier);
            }
        }
    }

    @Test
    void aBrokerFrozenForHundredSecondsMidDrainLosesNoJobAndRepeatsNone() throws Exception {
        try (BrokerProcess broker = new BrokerProcess("frozen")) {
            broker.start();
            int port = CourierJar.freePort();
            Map<String, String> env = courierEnv(broker.bootstrapServers(), port, "frozen");
            env.put("COURIER_WORKER_LIVENESS_TIMEOUT", "30s");
            Process courier = CourierJar.start(env, port, log("frozen"));
            try (KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers())) {
                broker.awaitTopics(TOPICS, Duration.ofSeconds(60));
                JobStream stream = new JobStream(simulator, port, 20);
                simulator.call("PUT", "/sim/latency", """
                        {"ms":30}""");
                stream.publish(kafka, 2_000);
                stream.awaitResults(kafka, 300, Duration.ofMinutes(2));

                broker.freeze();
                List<String> liveness = record(port, Duration.ofSeconds(100));
                broker.thaw();
                System.out.println("liveness while the broker was frozen for 100 s: " + liveness);

                awaitHealth(port, "live", 200, Duration.ofSeconds(90));
                stream.assertEachJobExactlyOnce(kafka, simulator);
                assertThat(CourierJar.health(port, "live").status()).isEqualTo(200);
            } finally {
                simulator.call("PUT", "/sim/latency", """
                        {"ms":0}""");
                stop(courier);
            }
        }
    }

    @Test
    void livenessGoesDownWhileThePollLoopsCannotStart() throws Exception {
        String nobody = "127.0.0.1:" + CourierJar.freePort();
        int port = CourierJar.freePort();
        Map<String, String> env = courierEnv(nobody, port, "never");
        env.put("COURIER_WORKER_LIVENESS_TIMEOUT", "10s");
        long started = System.nanoTime();
        Process courier = CourierJar.startAnswering(env, port, log("never"));
        try {
            CourierJar.Health live = awaitHealth(port, "live", 503,
                    Duration.ofSeconds(40).minusNanos(System.nanoTime() - started));
            assertThat(live.body()).contains("poll-loops").contains("DOWN");
            CourierJar.Health ready = CourierJar.health(port, "ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body()).contains("\"kafka\"");
            assertThat(ready.body().replaceAll("\\s", "")).contains("\"name\":\"kafka\",\"status\":\"DOWN\"");
        } finally {
            courier.destroyForcibly().waitFor(); // how it stops is not what this test is about
        }
    }

    private Map<String, String> courierEnv(String bootstrap, int port, String name) {
        Map<String, String> env = CourierJar.env(services, port, "broker-outage-" + name + "-" + UUID.randomUUID());
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        return env;
    }

    /** A fresh log file per test (CourierJar appends). */
    private static Path log(String test) throws java.io.IOException {
        Path log = Path.of("target/broker-outage-" + test + "-courier.log");
        java.nio.file.Files.deleteIfExists(log);
        return log;
    }

    /** Polls liveness every second for {@code duration}; returns its changes as "+<seconds>s <status>". */
    private static List<String> record(int port, Duration duration) throws InterruptedException {
        List<String> changes = new ArrayList<>();
        long start = System.nanoTime();
        int last = 0;
        while (System.nanoTime() - start < duration.toNanos()) { // ends after duration
            int status = CourierJar.health(port, "live").status();
            if (status != last) {
                changes.add("+" + Duration.ofNanos(System.nanoTime() - start).toSeconds() + "s " + status);
                last = status;
            }
            Thread.sleep(1_000);
        }
        return changes;
    }

    /** Waits until /q/health/{which} answers {@code status}; fails with the last answer after {@code within}. */
    private static CourierJar.Health awaitHealth(int port, String which, int status, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        CourierJar.Health last = CourierJar.health(port, which);
        while (last.status() != status && System.nanoTime() < deadline) { // ends at the deadline
            Thread.sleep(500);
            last = CourierJar.health(port, which);
        }
        if (last.status() != status) {
            throw new AssertionError("/q/health/" + which + " answered " + last.status() + " instead of " + status
                    + " within " + within + ": " + last.body());
        }
        return last;
    }

    private static void stop(Process courier) throws InterruptedException {
        courier.destroy();
        if (!courier.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            courier.destroyForcibly().waitFor();
        }
    }
}
