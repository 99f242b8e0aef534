package io.courier.testkit;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import redis.embedded.RedisExecProvider;

/**
 * A Redis server for a machine where none runs (ServiceLookup), and for tests that stop and start their own: the
 * machine's redis-server when one is on the PATH, else the static redis-server 7.0.15 build that
 * org.signal:embedded-redis packages for linux amd64/arm64 and macOS. No persistence, 127.0.0.1 only. The library
 * only supplies the binary; the process is started here so that a test can kill it and start it again on its port.
 */
public final class EmbeddedRedis implements AutoCloseable {

    /** A local redis-server listens within milliseconds; a loaded runner gets far more. */
    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static EmbeddedRedis forJvm;

    private final int port;
    private final Process process;

    private EmbeddedRedis(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /**
     * The redis-server binary: the PATH's, else the packaged one (unpacked to a temporary file). COURIER_REDIS_SERVER=
     * packaged asks for the packaged one (deploy/embedded-check.sh does, so that CI runs it).
     */
    public static Path binary() {
        return onPath().orElseGet(EmbeddedRedis::packagedBinary);
    }

    private static Optional<Path> onPath() {
        if ("packaged".equals(ServiceLookup.env("COURIER_REDIS_SERVER"))) {
            return Optional.empty();
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The binary org.signal:embedded-redis packages for this platform, unpacked to a temporary file. */
    public static Path packagedBinary() {
        try {
            return RedisExecProvider.defaultProvider().get().toPath();
        } catch (IOException e) {
            throw new UncheckedIOException("the packaged redis-server could not be unpacked", e);
        }
    }

    /** Starts {@link #binary()} on this port, its output to {@code log}; returns once it accepts connections. */
    public static EmbeddedRedis start(int port, Path log) {
        return start(binary(), port, log);
    }

    public static EmbeddedRedis start(Path binary, int port, Path log) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            long deadline = System.nanoTime() + STARTUP.toNanos();
            while (!ServiceLookup.listens(port)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException(binary + " did not listen on 127.0.0.1:" + port + " within "
                            + STARTUP + " (exit " + (p.isAlive() ? "none" : p.exitValue()) + "); see " + log);
                }
                Thread.sleep(20);
            }
            return new EmbeddedRedis(port, p);
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting redis-server", e);
        }
    }

    /** The suite's own server: one per JVM on a free port, stopped with the JVM. */
    public static synchronized EmbeddedRedis startForJvm() {
        if (forJvm == null) {
            try {
                forJvm = start(CourierJar.freePort(), Files.createTempFile("courier-test-redis", ".log"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(forJvm::close));
        }
        return forJvm;
    }

    public int port() {
        return port;
    }

    /** Kills the server at once, as a crash would (the outage test's fault). */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(5));
    }

    /** One command to a Redis server in its wire protocol (RESP); the reply's first line. */
    public static String command(String host, int port, String... args) throws IOException {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(5000);
            StringBuilder out = new StringBuilder("*" + args.length + "\r\n");
            for (String arg : args) {
                out.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
                        .append("\r\n");
            }
            socket.getOutputStream().write(out.toString().getBytes(StandardCharsets.UTF_8));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        }
    }

    /**
     * For README command 1: {@code EmbeddedRedis <directory>} prints the redis-server binary to run, the PATH's or
     * else the packaged one copied into the directory (the library's temporary copy is deleted when this JVM ends).
     */
    public static void main(String[] args) throws IOException {
        Optional<Path> installed = onPath();
        if (installed.isPresent()) {
            System.out.println(installed.get());
            return;
        }
        Path kept = Path.of(args[0]).toAbsolutePath().resolve("redis-server-" + RedisExecProvider.redisVersion);
        Files.copy(packagedBinary(), kept, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rwx------"));
        System.out.println(kept);
    }
}
