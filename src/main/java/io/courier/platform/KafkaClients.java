package io.courier.platform;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.Config;

/** Builds Courier's Kafka clients with the settings its guarantees depend on. */
@ApplicationScoped
public class KafkaClients {

    private final KafkaConfig config;
    private final KafkaClientProperties passThrough;
    private final MeterRegistry metrics;
    private final ConcurrentHashMap<String, KafkaClientMetrics> bound = new ConcurrentHashMap<>();

    KafkaClients(KafkaConfig config, Config all) {
        this(config, all, new SimpleMeterRegistry());
    }

    @Inject
    KafkaClients(KafkaConfig config, Config all, MeterRegistry metrics) {
        this.metrics = metrics;
        this.config = config;
        this.passThrough = KafkaClientProperties.from(all.getPropertyNames(),
                name -> all.getOptionalValue(name, String.class));
    }

    /** The operator's pass-through properties (TLS, SASL...), for checks and messages that name them. */
    public KafkaClientProperties passThrough() {
        return passThrough;
    }

    /**
     * A transactional producer for one poll loop: job outputs and the job offsets are committed together.
     * The transactional id is unique per instance; zombie fencing comes from the consumer group metadata
     * passed to sendOffsetsToTransaction (KIP-447), not from a stable id.
     */
    public KafkaProducer<String, byte[]> newTransactionalProducer(String name) {
        Map<String, Object> props = producerProps(name);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "courier-" + name + "-" + java.util.UUID.randomUUID());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer());
        bind("producer:" + name, producer, KafkaClientMetrics::new);
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close(java.time.Duration.ZERO); // the caller tries again with a new one: do not leak this one's
                                                     // threads
            throw e;
        }
        return producer;
    }

    /**
     * The producer of work that is not a consumed record's outcome: account events and released or expired parked
     * jobs. Idempotent and acks=all; its callers wait for the acks before they mark rows as sent, so a crash
     * between the two can repeat a record (with the same event id or job id) but never lose one.
     */
    @Produces
    @Singleton
    KafkaProducer<String, byte[]> producer() {
        return bind("producer:side",
                new KafkaProducer<>(producerProps("side"), new StringSerializer(), new ByteArraySerializer()),
                KafkaClientMetrics::new);
    }

    void closeProducer(@Disposes KafkaProducer<String, byte[]> producer) {
        producer.close(Duration.ofSeconds(5));
    }

    // visible for testing (KafkaClientPropertiesTest: every setting Courier makes is one an operator cannot override)
    Map<String, Object> producerProps(String name) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.produceTimeout().toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(config.produceTimeout().toMillis(), 15_000));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "courier-" + name);
        // The one limit RecordLimit keeps every output within: a record it let through is never refused here.
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.maxRequestSize());
        return KafkaClientProperties.merge(props, passThrough.forProducer());
    }

    @Produces
    @ApplicationScoped
    Admin admin() {
        return Admin.create(adminProps());
    }

    // visible for testing
    Map<String, Object> adminProps() {
        return KafkaClientProperties.merge(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "courier-admin",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000), passThrough.forAdmin());
    }

    void closeAdmin(@Disposes Admin admin) {
        admin.close(Duration.ofSeconds(5));
    }

    /**
     * A job consumer: manual commits (an offset is committed only after the job's outcome is written),
     * read_committed, cooperative-sticky so a rebalance moves only the partitions that must move.
     */
    public KafkaConsumer<String, byte[]> newJobConsumer(String clientId, String groupSuffix) {
        return bind("consumer:" + clientId, new KafkaConsumer<>(consumerProps(clientId, groupSuffix),
                new StringDeserializer(), new ByteArrayDeserializer()), KafkaClientMetrics::new);
    }

    /**
     * Kafka's own metrics of the client (records lag, fetch and commit latency, producer errors and retries,
     * transaction time) as kafka_* meters: Quarkus binds them only for the clients SmallRye creates. One binder per
     * client name: a client made again after a failure replaces its predecessor's meters instead of adding to them.
     */
    private <C> C bind(String name, C client, Function<C, KafkaClientMetrics> binder) {
        KafkaClientMetrics next = binder.apply(client);
        KafkaClientMetrics previous = bound.put(name, next);
        if (previous != null) {
            previous.close(); // its client was closed before this one was made (PollLoop)
        }
        next.bindTo(metrics);
        return client;
    }

    @PreDestroy
    void unbind() {
        bound.values().forEach(KafkaClientMetrics::close);
    }

    /** The consumer group of Courier's job consumers with this suffix ("" for the job topics, "-retries"). */
    public String groupId(String suffix) {
        return config.groupId() + suffix;
    }

    // visible for testing
    Map<String, Object> consumerProps(String clientId, String groupSuffix) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(groupSuffix));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // A member learns of a rebalance at its next heartbeat: at the default 3 s, a pod leaving or joining left
        // the partitions it hands over unread for up to two of them (scheduled jobs late by seconds).
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        // 64 KiB, not 1 MiB, per partition per fetch: polls drain one partition's fetched records before the next,
        // so with a backlog the buffer (max-buffered-records) filled from one partition, i.e. a sixth of the
        // accounts, and per-account ordering left call slots idle (BENCHMARKS.md has the figures). A record
        // larger than this is still fetched on its own.
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024);
        return KafkaClientProperties.merge(props, passThrough.forConsumer());
    }
}
