package io.courier.bench;

import io.courier.testkit.CourierJar;
import io.courier.testkit.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The OS processes the topology benchmark starts (the LinkedIn stand-in, Courier, the bare loop): each PID goes into
 * a file that deploy/bench-topology's exit trap reads, and a shutdown hook ends whatever is still running, so that
 * nothing outlives a run, however it ends.
 */
final class Children implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path dir;
    private final Path pidFile;
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final List<Process> running = new ArrayList<>();

    Children(Path dir) throws IOException {
        this.dir = dir;
        this.pidFile = dir.resolve("children.pids");
        Files.createDirectories(dir);
        Files.deleteIfExists(pidFile);
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    }

    /**
     * The simulator's own main (LinkedInSimulator --port), on this JVM's class path; returns once /sim/stats answers.
     */
    Process standIn(int port) throws Exception {
        Process p = track(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.courier.simulator.LinkedInSimulator", "--port", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(dir.resolve("stand-in.log").toFile()).start());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) { // ends at the deadline, or when the stand-in exits
            if (!p.isAlive()) {
                throw new IllegalStateException(
                        "the stand-in exited with " + p.exitValue() + "; see " + dir.resolve("stand-in.log"));
            }
            try {
                HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/stats")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return p;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the stand-in did not answer on port " + port + " within 60 s");
    }

    /** The packaged jar (CourierJar), waited for until ready. */
    Process courier(Map<String, String> env, int port, int index) throws Exception {
        Path log = dir.resolve("courier-" + index + ".log");
        Files.deleteIfExists(log);
        return track(CourierJar.start(env, port, log));
    }

    /** A {@link BareLoop} process; {@code onLine} gets each line it prints, on a thread of its own. */
    Process bareLoop(List<String> args, Consumer<String> onLine) throws IOException {
        List<String> command = new ArrayList<>(
                List.of(java, "-cp", System.getProperty("java.class.path"), BareLoop.class.getName()));
        command.addAll(args);
        Process p = track(new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("bare-loop.log").toFile())).start());
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    onLine.accept(line);
                }
            } catch (IOException ended) {
                // the process is gone
            }
        }, "bare-loop-output");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    /** JFR of a running JVM from now on (jcmd JFR.start); {@link #stopRecording} writes the file. */
    void startRecording(Process p, Path file) throws Exception {
        jcmd(p, "JFR.start", "name=bench", "settings=profile", "filename=" + file.toAbsolutePath());
    }

    void stopRecording(Process p) throws Exception {
        jcmd(p, "JFR.stop", "name=bench");
    }

    /** async-profiler's CPU sampling of a running JVM from now on (its agent loaded with jcmd). */
    void startProfiler(Process p, Path lib) throws Exception {
        jcmd(p, "JVMTI.agent_load", lib.toAbsolutePath().toString(), "\"start,event=cpu,interval=1ms\"");
    }

    /** Stops {@link #startProfiler}'s sampling and writes its stacks, collapsed (one line per stack, root first). */
    void stopProfiler(Process p, Path lib, Path file) throws Exception {
        jcmd(p, "JVMTI.agent_load", lib.toAbsolutePath().toString(),
                "\"stop,collapsed,file=" + file.toAbsolutePath() + "\"");
    }

    private static void jcmd(Process p, String... args) throws Exception {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(p.pid())));
        command.addAll(List.of(args));
        Process jcmd = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // jcmd exits 0 when the command fails inside the JVM (an agent's "return code: 100"): read what it says too.
        if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0 || out.contains("[ERROR]")) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    /** SIGTERM, then SIGKILL after 30 s. */
    void stop(Process p) {
        Processes.stop(p, Duration.ofSeconds(30));
        synchronized (running) {
            running.remove(p);
        }
    }

    private Process track(Process p) throws IOException {
        synchronized (running) {
            running.add(p);
        }
        Files.writeString(pidFile, p.pid() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return p;
    }

    @Override
    public void close() {
        List<Process> left;
        synchronized (running) {
            left = new ArrayList<>(running);
        }
        left.forEach(this::stop);
    }
}
