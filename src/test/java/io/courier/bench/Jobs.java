package io.courier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.testkit.ConnectedAccounts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The benchmark's Kafka side: publishes post jobs (round-robin over the accounts, noting each record's timestamp)
 * and reads Courier's result events (read_committed, from the end of the topic as it was before the jobs), so that
 * a leg knows when each job finished and how long it took from its record to its result.
 */
final class Jobs implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A connected account: Courier's id, the member's URN and access token at the stand-in. */
    record Account(String accountId, String memberUrn, String token) {}

    /**
     * Per job: its record's timestamp; once finished, the event's finishedAt (Courier's job thread done), the result
     * record's timestamp (Courier publishes results at its next commit) and when it was readable (read_committed).
     */
    record Timing(long jobRecordMs, long finishedAtMs, long resultRecordMs, long readableMs) {}

    private final KafkaProducer<String, byte[]> producer;
    private final String bootstrap;
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final AtomicReference<IllegalStateException> failure = new AtomicReference<>();

    Jobs(String bootstrap) {
        this.bootstrap = bootstrap;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(),
                new ByteArraySerializer());
    }

    /** A bare-loop record: what the loop needs to make the call, the token included. */
    void sendBare(String topic, Account a, String text) {
        send(topic, a.accountId(), "{\"author\":\"" + a.memberUrn() + "\",\"commentary\":\"" + text + "\",\"token\":\""
                + a.token() + "\"}", null);
    }

    /** A Courier job, {@code post.create}, with the job id {@code jobId}. */
    void sendJob(Account a, String jobId) {
        send("linkedin.jobs.post", a.accountId(), ConnectedAccounts.job(jobId, "post.create", a.accountId(),
                "{\"author\":\"" + a.memberUrn() + "\",\"commentary\":\"bench " + jobId + "\"}"), jobId);
    }

    /** Sends {@code count} jobs {@code prefix-i} at {@code perSecond} (unpaced when 0), from the calling thread. */
    void sendJobs(List<Account> accounts, String prefix, int count, double perSecond) {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (perSecond > 0) {
                LockSupport.parkNanos(start + (long) (i * 1e9 / perSecond) - System.nanoTime());
            }
            sendJob(accounts.get(i % accounts.size()), prefix + "-" + i);
        }
        flush();
    }

    /** Waits until every record sent so far is acknowledged; fails if one could not be published. */
    void flush() {
        producer.flush();
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private void send(String topic, String key, String value, String jobId) {
        producer.send(new ProducerRecord<>(topic, key, value.getBytes(StandardCharsets.UTF_8)), (meta, error) -> {
            if (error != null) {
                failure.compareAndSet(null, new IllegalStateException("could not publish to " + topic, error));
            } else if (jobId != null) {
                sentAt.put(jobId, meta.timestamp());
            }
        });
    }

    /** A reader of the results topic, positioned at its end now: open it before publishing the jobs it waits for. */
    Results results() {
        return new Results();
    }

    final class Results implements AutoCloseable {

        private final KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        private int notSucceeded;

        private Results() {
            List<TopicPartition> partitions = consumer.partitionsFor("linkedin.jobs.results").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        }

        /**
         * Reads until {@code count} results of jobs named {@code prefix-*} arrived, telling {@code progress} as they
         * come; fails after {@code timeout}. Returns each job's timing.
         */
        List<Timing> await(String prefix, int count, Progress progress, Duration timeout) {
            List<Timing> timings = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (timings.size() < count) { // ends when all arrived, or at the deadline
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + timings.size() + " of " + count + " results of " + prefix
                            + " within " + timeout + " (Courier's logs are in target/bench)");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    JsonNode event = read(r.value());
                    String jobId = event.path("jobId").asText("");
                    if (!jobId.startsWith(prefix + "-")) {
                        continue;
                    }
                    if (!"SUCCEEDED".equals(event.path("status").asText())) {
                        notSucceeded++;
                    }
                    long finishedAt = finishedAtMs(event, r.timestamp());
                    timings.add(new Timing(sentAt.getOrDefault(jobId, r.timestamp()), finishedAt, r.timestamp(),
                            System.currentTimeMillis()));
                    if (progress != null) {
                        progress.reached(timings.size());
                    }
                }
            }
            return timings;
        }

        /** Results so far that were not SUCCEEDED (dead letters: the report shows them). */
        int notSucceeded() {
            return notSucceeded;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** The event's finishedAt (RFC 3339 text, or seconds as a number); {@code fallback} when it has none. */
    private static long finishedAtMs(JsonNode event, long fallback) {
        JsonNode at = event.path("finishedAt");
        if (at.isNumber()) {
            return (long) (at.asDouble() * 1000);
        }
        try {
            return Instant.parse(at.asText()).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            return fallback;
        }
    }

    private static JsonNode read(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (java.io.IOException e) {
            return JSON.nullNode();
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
