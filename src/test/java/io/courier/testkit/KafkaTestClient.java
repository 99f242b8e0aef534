package io.courier.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces test records and reads what topics received since this client was made: each partition from where it
 * ended then, so a test reads only what came after it started (a test makes its client first, as
 * PipelineTestSupport does per test), not every earlier test's records on the shared broker.
 */
public final class KafkaTestClient implements AutoCloseable {

    private final String bootstrap;
    private final Map<String, Object> security;
    private final String groupPrefix;
    private final KafkaProducer<String, byte[]> producer;
    /** Where each partition ended (last stable offset) when this client was made; a partition not in it is newer. */
    private final Map<TopicPartition, Long> start;

    public KafkaTestClient(String bootstrap) {
        this(bootstrap, Map.of(), "test-");
    }

    /**
     * A client that authenticates with {@code security} (security.protocol, sasl.*) and reads in groups
     * {@code groupPrefix}*.
     */
    public KafkaTestClient(String bootstrap, Map<String, Object> security, String groupPrefix) {
        this.bootstrap = bootstrap;
        this.security = Map.copyOf(security);
        this.groupPrefix = groupPrefix;
        // One request in flight: bursts of async sends to a topic created a moment ago otherwise meet
        // OutOfOrderSequence retries on the in-JVM broker and never complete.
        Map<String, Object> props = new HashMap<>(security);
        props.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.LINGER_MS_CONFIG, 5));
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.start = endOffsets();
    }

    /**
     * Every partition's end now; empty if the broker will not say (a principal without Describe): then from the start.
     */
    private Map<TopicPartition, Long> endOffsets() {
        Map<String, Object> props = new HashMap<>(security);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values().forEach(t -> t.partitions()
                    .forEach(p -> latest.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(10, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            return Map.copyOf(ends);
        } catch (KafkaException | ExecutionException | TimeoutException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    public void send(String topic, String key, String value) {
        send(topic, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    public void send(String topic, String key, byte[] value) {
        send(new ProducerRecord<>(topic, key, value));
    }

    public void send(ProducerRecord<String, byte[]> record) {
        String topic = record.topic();
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not produce to " + topic, e);
        }
    }

    /** Sends without waiting for each acknowledgement; {@link #flush()} waits for all of them. */
    public void sendAsync(String topic, String key, String value) {
        producer.send(new ProducerRecord<>(topic, key, value.getBytes(StandardCharsets.UTF_8)));
    }

    public void flush() {
        producer.flush();
    }

    /** Reads the topic since this client was made until {@code count} records match, or fails after the timeout. */
    public List<ConsumerRecord<String, byte[]>> await(String topic, Predicate<ConsumerRecord<String, byte[]>> match,
            int count, Duration timeout) {
        return await(List.of(topic), match, count, timeout);
    }

    /** The same over several topics (e.g. the retry tiers a delay may fall into). */
    public List<ConsumerRecord<String, byte[]>> await(List<String> topic,
            Predicate<ConsumerRecord<String, byte[]>> match,
            int count, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = sinceStart(topic)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (found.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (match.test(r)) {
                        found.add(r);
                    }
                });
            }
        }
        if (found.size() < count) {
            throw new AssertionError("expected " + count + " matching records on " + topic + " within " + timeout
                    + ", found " + found.size());
        }
        return found;
    }

    /** Every record the topic received since this client was made, read until nothing new arrives for {@code quiet}. */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic, Duration quiet) {
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = sinceStart(List.of(topic))) {
            long lastNew = System.nanoTime();
            while (System.nanoTime() - lastNew < quiet.toNanos()) {
                var batch = consumer.poll(Duration.ofMillis(200));
                if (!batch.isEmpty()) {
                    batch.forEach(all::add);
                    lastNew = System.nanoTime();
                }
            }
        }
        return all;
    }

    /**
     * A consumer of these topics positioned where they ended when this client was made. A topic with no partitions yet
     * (Courier creates it on first use) is subscribed to from the start instead: everything in it is newer.
     */
    private KafkaConsumer<String, byte[]> sinceStart(List<String> topics) {
        KafkaConsumer<String, byte[]> consumer = reader();
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            try {
                consumer.partitionsFor(topic, Duration.ofSeconds(10))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            } catch (KafkaException notYet) {
                // counted as missing below
            }
        }
        if (partitions.stream().map(TopicPartition::topic).distinct().count() < topics.size()) {
            consumer.subscribe(topics);
            return consumer;
        }
        consumer.assign(partitions);
        List<TopicPartition> newer = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            Long offset = start.get(tp);
            if (offset == null) {
                newer.add(tp);
            } else {
                consumer.seek(tp, offset);
            }
        }
        consumer.seekToBeginning(newer);
        return consumer;
    }

    /** A consumer of its own group that reads committed records, as Courier's readers should. */
    private KafkaConsumer<String, byte[]> reader() {
        Map<String, Object> props = new HashMap<>(security);
        props.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, groupPrefix + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    public static String text(ConsumerRecord<String, byte[]> record) {
        return record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
    }

    public static String header(ConsumerRecord<String, byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
