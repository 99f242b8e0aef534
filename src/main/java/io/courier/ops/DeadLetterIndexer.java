package io.courier.ops;

import io.courier.job.TopicsConfig;
import io.courier.platform.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Keeps one PostgreSQL row per record of the dead-letter topic. Offsets are committed only after the rows are
 * written, and a row is keyed by the record's partition and offset, so a restart or a rebalance that delivers
 * records again adds nothing twice and loses nothing. A truncated copy (header courier-truncated) gets no row of its
 * own: it is linked to the row the worker wrote with the whole record (DeadLetterStore.index).
 */
@ApplicationScoped
class DeadLetterIndexer {

    private static final Logger LOG = Logger.getLogger(DeadLetterIndexer.class);
    /** The indexer's consumer group is courier.kafka.group-id plus this (DeadLetterIndexLag reads its offsets). */
    static final String GROUP_SUFFIX = "-dlq-indexer";

    private final KafkaClients clients;
    private final Admin admin;
    private final TopicsConfig topics;
    private final DeadLetterStore store;
    private final DeadLetterConfig config;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    DeadLetterIndexer(KafkaClients clients, Admin admin, TopicsConfig topics, DeadLetterStore store,
            DeadLetterConfig config) {
        this.clients = clients;
        this.admin = admin;
        this.topics = topics;
        this.store = store;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        if (!config.indexerEnabled()) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().name("courier-dlq-indexer").start(this::run);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            thread.join(10_000);
        }
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> c = clients.newJobConsumer("courier-dlq-indexer", GROUP_SUFFIX)) {
                consumer = c;
                c.subscribe(List.of(topics.deadLetter()));
                String topicId = admin.describeTopics(List.of(topics.deadLetter())).allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get(topics.deadLetter()).topicId().toString();
                Map<TopicPartition, Long> committed = Map.of();
                while (running) {
                    List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
                    c.poll(Duration.ofSeconds(1)).forEach(batch::add);
                    if (!batch.isEmpty()) {
                        int added = store.index(topicId, batch);
                        LOG.infof("dead letters indexed records=%d new=%d", batch.size(), added);
                    }
                    // Also when only a transaction marker was read: the committed offsets are what the lag gauge
                    // measures, and a marker left behind them would read as a dead letter never indexed.
                    Map<TopicPartition, Long> positions = positions(c);
                    if (!batch.isEmpty() || !positions.equals(committed)) {
                        c.commitSync();
                        committed = positions;
                    }
                }
            } catch (WakeupException stopping) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | java.util.concurrent.ExecutionException
                    | java.util.concurrent.TimeoutException e) {
                // Nothing was committed past what was written: start again from the committed offsets.
                LOG.warnf("dead-letter indexing interrupted, resuming from the last commit cause=%s", e.getMessage());
                sleep();
            }
        }
    }

    private static Map<TopicPartition, Long> positions(KafkaConsumer<String, byte[]> c) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        c.assignment().forEach(tp -> positions.put(tp, c.position(tp)));
        return positions;
    }

    private static void sleep() {
        try {
            Thread.sleep(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
