package io.courier.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A Kafka broker in an OS process of its own, started by deploy/kafka-broker.sh (Kafka's jars from Maven Central,
 * downloaded once into ~/.cache/courier; KRaft), for the tests that start it late, stop it or freeze it under a
 * running Courier: CourierServices' in-JVM broker cannot be frozen. Each one has its own ports and run directory
 * under target/brokers. {@link #close()} ends it, thawed first, and a shutdown hook does the same when the test JVM
 * exits without it, so no broker outlives the test run.
 */
public final class BrokerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(5); // a first download included
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final Path runDir;
    private final int port;
    private final int controllerPort;
    private final Thread onExit = new Thread(this::close);
    private volatile ProcessHandle broker;

    /** Chooses the ports and the run directory; nothing listens until {@link #start()}. */
    public BrokerProcess(String name) throws IOException {
        this.runDir = Path.of("target", "brokers", name + "-" + UUID.randomUUID().toString().substring(0, 8))
                .toAbsolutePath();
        this.port = CourierJar.freePort();
        this.controllerPort = CourierJar.freePort();
        Files.createDirectories(runDir);
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker and returns once it has logged "Kafka Server started" (the script waits for it). */
    public void start() throws Exception {
        Path scriptLog = runDir.resolve("script.log");
        ProcessBuilder pb = new ProcessBuilder("deploy/kafka-broker.sh", "start")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(scriptLog.toFile()));
        pb.environment().putAll(Map.of("KAFKA_PORT", Integer.toString(port),
                "KAFKA_CONTROLLER_PORT", Integer.toString(controllerPort),
                "KAFKA_RUN_DIR", runDir.toString(),
                "JAVA_HOME", System.getProperty("java.home")));
        Process script = pb.start();
        if (!script.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            script.destroyForcibly();
            throw new IllegalStateException(
                    "deploy/kafka-broker.sh start did not end within " + START_TIMEOUT + "; see " + scriptLog);
        }
        Path pidFile = runDir.resolve("broker.pid");
        if (script.exitValue() != 0 || !Files.exists(pidFile)) {
            throw new IllegalStateException("deploy/kafka-broker.sh start failed (exit " + script.exitValue() + "):\n"
                    + Files.readString(scriptLog));
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        broker = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException("broker pid " + pid + " already gone"));
    }

    /** SIGSTOP: the broker keeps its sockets open and answers nothing, like a hung machine. */
    public void freeze() throws Exception {
        signal("STOP");
    }

    /** SIGCONT: the frozen broker runs on. */
    public void thaw() throws Exception {
        signal("CONT");
    }

    /** Waits until the broker lists all of {@code topics}, or fails after {@code within}. */
    public void awaitTopics(Collection<String> topics, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        Set<String> existing = Set.of();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                3_000))) {
            while (System.nanoTime() < deadline) { // ends at the deadline
                try {
                    existing = admin.listTopics().names().get(5, TimeUnit.SECONDS);
                    if (existing.containsAll(topics)) {
                        return;
                    }
                } catch (Exception notYet) {
                    // not answering yet
                }
                Thread.sleep(500);
            }
        }
        throw new AssertionError("topics " + topics + " not created within " + within + "; the broker has " + existing);
    }

    /** Thaws and ends the broker: SIGTERM, then SIGKILL after 20 s. Safe to call more than once. */
    @Override
    public void close() {
        ProcessHandle running = broker;
        broker = null;
        if (running != null && running.isAlive()) {
            try {
                kill("CONT", running.pid()); // a stopped process does not act on SIGTERM
                running.destroy();
                running.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                running.destroyForcibly();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
    }

    private void signal(String signal) throws Exception {
        ProcessHandle running = broker;
        if (running == null || !running.isAlive()) {
            throw new IllegalStateException("the broker is not running");
        }
        kill(signal, running.pid());
    }

    private static void kill(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder(List.of("kill", "-" + signal, Long.toString(pid))).redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException(
                    "kill -" + signal + " " + pid + " failed: " + new String(kill.getInputStream().readAllBytes()));
        }
    }
}
