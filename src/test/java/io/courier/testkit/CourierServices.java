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
 * Real Kafka, Redis and PostgreSQL for tests, found in this order: environment variables
 * (KAFKA_BOOTSTRAP_SERVERS, REDIS_URL, DB_URL), else Testcontainers when a Docker engine answers, else the
 * machine's own services with an in-JVM Kafka broker (KafkaClusterTestKit). Also starts the LinkedIn simulator.
 * Everything is started once per JVM and shared by all test classes; each test owns its data (fresh ids).
 */
public class CourierServices implements QuarkusTestResourceLifecycleManager {

    private static final Logger LOG = Logger.getLogger(CourierServices.class);
    private static Map<String, String> started;

    @Override
    public synchronized Map<String, String> start() {
        if (started == null) {
            started = startAll();
        }
        return started;
    }

    @Override
    public void stop() {
        // Shared for the whole JVM: the broker and containers stop with it.
    }

    /** The services' coordinates, for tests and benchmarks that run outside Quarkus too. */
    public static synchronized Map<String, String> coordinates() {
        if (started == null) {
            started = startAll();
        }
        return started;
    }

    private static Map<String, String> startAll() {
        boolean docker = needsDocker() && dockerAvailable();
        Map<String, String> config = new HashMap<>();
        config.put("courier.kafka.bootstrap-servers", kafka(docker));
        config.put("courier.redis.url", redis(docker));
        config.putAll(postgres(docker));
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

    private static boolean needsDocker() {
        return env("KAFKA_BOOTSTRAP_SERVERS") == null || env("REDIS_URL") == null || env("DB_URL") == null;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String kafka(boolean docker) {
        if (env("KAFKA_BOOTSTRAP_SERVERS") != null) {
            return env("KAFKA_BOOTSTRAP_SERVERS");
        }
        if (docker) {
            KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.1");
            kafka.start();
            return kafka.getBootstrapServers();
        }
        return InJvmKafka.bootstrapServers();
    }

    private static String redis(boolean docker) {
        if (env("REDIS_URL") != null) {
            return env("REDIS_URL");
        }
        if (docker) {
            GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
            redis.start();
            return "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379);
        }
        return "redis://127.0.0.1:6379";
    }

    /** Only the database (for a test that starts the packaged jar and needs nothing else): env, Docker or local. */
    public static Map<String, String> databaseOnly() {
        return postgres(needsDocker() && dockerAvailable());
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

    private static Map<String, String> postgres(boolean docker) {
        String url = env("DB_URL");
        String user = env("DB_USER") != null ? env("DB_USER") : "postgres";
        String password = env("DB_PASSWORD") != null ? env("DB_PASSWORD") : "";
        if (url == null && docker) {
            PostgreSQLContainer pg = new PostgreSQLContainer("postgres:15-alpine");
            pg.start();
            url = pg.getJdbcUrl();
            user = pg.getUsername();
            password = pg.getPassword();
        } else if (url == null) {
            url = "jdbc:postgresql://127.0.0.1:5432/courier_test";
            createDatabaseIfMissing("jdbc:postgresql://127.0.0.1:5432/postgres", user, password, "courier_test");
        }
        return Map.of("quarkus.datasource.jdbc.url", url, "quarkus.datasource.username", user,
                "quarkus.datasource.password", password);
    }

    private static void createDatabaseIfMissing(String adminUrl, String user, String password, String database) {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password)) {
            var exists = c.prepareStatement("select 1 from pg_database where datname = ?");
            exists.setString(1, database);
            if (!exists.executeQuery().next()) {
                c.createStatement().execute("create database " + database);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("no PostgreSQL for tests: set DB_URL, start Docker, or run PostgreSQL on "
                    + "127.0.0.1:5432 (" + e.getMessage() + ")", e);
        }
    }

    private static String env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value;
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
