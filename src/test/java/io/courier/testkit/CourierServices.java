package io.courier.testkit;

import io.courier.simulator.LinkedInSimulator;
import io.courier.simulator.SimulatorOptions;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.jboss.logging.Logger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Real Kafka, Redis and PostgreSQL for tests, each found as ServiceLookup decides: its environment variable
 * (KAFKA_BOOTSTRAP_SERVERS, REDIS_URL, DB_URL), else Testcontainers when a Docker engine answers, else the machine's
 * own service on its usual port, else one started here (EmbeddedPostgres, EmbeddedRedis, an in-JVM Kafka broker).
 * Also starts the LinkedIn simulator. Everything is started once per JVM and shared by all test classes; each test
 * owns its data (fresh ids). What the suite starts stops with the JVM.
 */
public class CourierServices implements QuarkusTestResourceLifecycleManager {

    private static final Logger LOG = Logger.getLogger(CourierServices.class);
    private static final ServiceLookup.Machine MACHINE = ServiceLookup.thisMachine(CourierServices::dockerAvailable);
    private static Map<String, String> started;
    private static Map<String, String> database;

    @Override
    public synchronized Map<String, String> start() {
        return coordinates();
    }

    @Override
    public void stop() {
        // Shared for the whole JVM: the broker, containers and embedded servers stop with it.
    }

    /** The services' coordinates, for tests and benchmarks that run outside Quarkus too. */
    public static synchronized Map<String, String> coordinates() {
        if (started == null) {
            started = startAll();
        }
        return started;
    }

    private static Map<String, String> startAll() {
        Map<String, String> config = new HashMap<>();
        config.put("courier.kafka.bootstrap-servers", kafka());
        config.put("courier.redis.url", redis());
        config.putAll(databaseOnly());
        LinkedInSimulator simulator = LinkedInSimulator.start(SimulatorOptions.defaults().withPort(0));
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close));
        config.put("courier.linkedin.api-base-url", simulator.baseUrl());
        config.put("courier.linkedin.oauth-base-url", simulator.baseUrl());
        config.put("courier.linkedin.client-id", SimulatorOptions.defaults().clientId());
        config.put("courier.linkedin.client-secret", SimulatorOptions.defaults().clientSecret());
        config.putAll(AdminCallers.config());
        LOG.infof("test services kafka=%s redis=%s db=%s simulator=%s", config.get("courier.kafka.bootstrap-servers"),
                config.get("courier.redis.url"), config.get("quarkus.datasource.jdbc.url"), simulator.baseUrl());
        return Map.copyOf(config);
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static ServiceLookup.Source source(ServiceLookup.Service service) {
        ServiceLookup.Source source = ServiceLookup.choose(service, MACHINE);
        LOG.infof("test %s: %s", service.name(), switch (source) {
            case ENV -> "from " + service.envVar();
            case CONTAINER -> "a Testcontainers container";
            case LOCAL -> "the machine's own on port " + service.localPort();
            case EMBEDDED -> "started by the suite"
                    + (service.localPort() > 0 ? " (nothing on port " + service.localPort() + ")" : "");
        });
        return source;
    }

    private static String kafka() {
        return switch (source(ServiceLookup.KAFKA)) {
            case ENV -> ServiceLookup.env("KAFKA_BOOTSTRAP_SERVERS");
            case CONTAINER -> {
                KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.1");
                kafka.start();
                yield kafka.getBootstrapServers();
            }
            case LOCAL, EMBEDDED -> InJvmKafka.bootstrapServers();
        };
    }

    private static String redis() {
        return switch (source(ServiceLookup.REDIS)) {
            case ENV -> ServiceLookup.env("REDIS_URL");
            case CONTAINER -> {
                GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
                redis.start();
                yield "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379);
            }
            case LOCAL -> "redis://127.0.0.1:" + ServiceLookup.REDIS.localPort();
            case EMBEDDED -> "redis://127.0.0.1:" + EmbeddedRedis.startForJvm().port();
        };
    }

    /** Only the database (for a test that starts the packaged jar and needs nothing else), found once per JVM. */
    public static synchronized Map<String, String> databaseOnly() {
        if (database == null) {
            database = postgres();
        }
        return database;
    }

    /**
     * An empty database of its own next to the test database (dropped and created again), for a test whose rows must
     * not meet the others', e.g. one that starts Courier with other token keys.
     */
    public static Map<String, String> freshDatabase(String name) {
        Map<String, String> shared = databaseOnly();
        String url = shared.get("quarkus.datasource.jdbc.url");
        int slash = url.lastIndexOf('/');
        int query = url.indexOf('?', slash);
        String tail = query < 0 ? "" : url.substring(query);
        String user = shared.get("quarkus.datasource.username");
        String password = shared.get("quarkus.datasource.password");
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.createStatement().execute("drop database if exists " + name + " with (force)");
            c.createStatement().execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + ": " + e.getMessage(), e);
        }
        return Map.of("quarkus.datasource.jdbc.url", url.substring(0, slash + 1) + name + tail,
                "quarkus.datasource.username", user, "quarkus.datasource.password", password);
    }

    private static Map<String, String> postgres() {
        String user = ServiceLookup.env("DB_USER") != null ? ServiceLookup.env("DB_USER") : "postgres";
        String password = ServiceLookup.env("DB_PASSWORD") != null ? ServiceLookup.env("DB_PASSWORD") : "";
        String url = switch (source(ServiceLookup.POSTGRES)) {
            case ENV -> ServiceLookup.env("DB_URL");
            case CONTAINER -> {
                PostgreSQLContainer pg = new PostgreSQLContainer("postgres:15-alpine");
                pg.start();
                user = pg.getUsername();
                password = pg.getPassword();
                yield pg.getJdbcUrl();
            }
            case LOCAL -> localDatabase(ServiceLookup.POSTGRES.localPort(), user, password);
            case EMBEDDED -> {
                EmbeddedPostgres pg = EmbeddedPostgres.startForJvm();
                user = EmbeddedPostgres.USER;
                password = pg.password();
                yield localDatabase(pg.port(), user, password);
            }
        };
        return Map.of("quarkus.datasource.jdbc.url", url, "quarkus.datasource.username", user,
                "quarkus.datasource.password", password);
    }

    /** The test database on a server at 127.0.0.1:port, created when missing. */
    private static String localDatabase(int port, String user, String password) {
        String server = "jdbc:postgresql://127.0.0.1:" + port + "/";
        try (Connection c = DriverManager.getConnection(server + "postgres", user, password)) {
            var exists = c.prepareStatement("select 1 from pg_database where datname = 'courier_test'");
            if (!exists.executeQuery().next()) {
                c.createStatement().execute("create database courier_test");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("no PostgreSQL for tests at 127.0.0.1:" + port + " (set DB_URL, start "
                    + "Docker, or free the port for the suite's own): " + e.getMessage(), e);
        }
        return server + "courier_test";
    }

    /**
     * What a one-broker test cluster needs: internal topics of one replica, no rebalance delay, no topic made by a
     * read.
     */
    public static KafkaClusterTestKit.Builder singleBroker(KafkaClusterTestKit.Builder builder) {
        return builder.setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false");
    }

    /** One KRaft broker inside the test JVM; starts in about two seconds. */
    static final class InJvmKafka {
        private static KafkaClusterTestKit cluster;

        static synchronized String bootstrapServers() {
            if (cluster == null) {
                try {
                    KafkaClusterTestKit kit = singleBroker(new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                            .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())).build();
                    kit.format();
                    kit.startup();
                    kit.waitForReadyBrokers();
                    // No close in a shutdown hook: a broker stopping under open client transactions can halt the
                    // JVM with a non-zero status, which surefire reports as a crashed fork. It dies with the JVM.
                    cluster = kit;
                } catch (Exception e) {
                    throw new IllegalStateException("could not start the in-JVM Kafka broker", e);
                }
            }
            return cluster.bootstrapServers();
        }
    }
}
