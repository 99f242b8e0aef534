package io.courier.worker;

import io.courier.job.TopicInitializer;
import io.courier.job.TopicsConfig;
import io.courier.platform.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The poll loop for post and sync jobs: polls on one platform thread, runs jobs on virtual threads ordered per
 * account (KeyOrderedExecutor), and commits each partition only up to its first unfinished job (OffsetTracker).
 *
 * <p>Not SmallRye Reactive Messaging's Kafka connector: its concurrency unit is the partition, so one slow
 * account holds back every account hashed to the same partition, and its commit strategies cannot express
 * "commit after this job's outcome is written, out of order across accounts". Plain Kafka clients can.
 */
@ApplicationScoped
public class JobConsumer {

    private static final Logger LOG = Logger.getLogger(JobConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private final KafkaClients clients;
    private final TopicsConfig topics;
    private final WorkerConfig config;
    private final JobRunner runner;
    private final OffsetTracker tracker = new OffsetTracker();
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread pollThread;

    JobConsumer(KafkaClients clients, TopicsConfig topics, WorkerConfig config, JobRunner runner,
                TopicInitializer topicsReady) {
        this.clients = clients;
        this.topics = topics;
        this.config = config;
        this.runner = runner;
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("job consumer disabled (courier.worker.enabled=false)");
            return;
        }
        running = true;
        pollThread = Thread.ofPlatform().name("courier-job-poll").start(this::pollLoop);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (pollThread == null) {
            return;
        }
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        pollThread.join(config.drainTimeout().plusSeconds(10).toMillis());
    }

    private void pollLoop() {
        try (KafkaConsumer<String, byte[]> c = clients.newJobConsumer("courier-jobs");
             KeyOrderedExecutor executor = new KeyOrderedExecutor(config.concurrency())) {
            consumer = c;
            c.subscribe(List.of(topics.post(), topics.sync()), new Rebalance(c));
            LOG.infof("job consumer started topics=%s concurrency=%d", List.of(topics.post(), topics.sync()),
                    config.concurrency());
            while (running) {
                try {
                    for (ConsumerRecord<String, byte[]> record : c.poll(POLL_TIMEOUT)) {
                        dispatch(executor, record);
                    }
                } catch (WakeupException e) {
                    break;
                }
                applyBackpressure(c);
                commit(c, tracker.committable(c.assignment()), false);
            }
            drainAndCommit(c);
        } catch (RuntimeException e) {
            LOG.errorf(e, "job consumer stopped on an unexpected error");
        }
    }

    private void dispatch(KeyOrderedExecutor executor, ConsumerRecord<String, byte[]> record) {
        OffsetTracker.Partition partition = tracker.register(new TopicPartition(record.topic(), record.partition()),
                record.offset());
        // Records are keyed by accountId (CONTRACT §3); a record without a key is ordered with its partition.
        String orderKey = record.key() != null ? "k:" + record.key() : "p:" + record.topic() + "-" + record.partition();
        executor.submit(orderKey, () -> runOne(partition, record));
    }

    private void runOne(OffsetTracker.Partition partition, ConsumerRecord<String, byte[]> record) {
        if (!tracker.start(partition)) {
            return; // the partition moved to another consumer, which will run this record
        }
        boolean written = false;
        try {
            while (!written && running && !partition.isRevoked()) {
                written = attempt(record);
            }
        } finally {
            tracker.finish(partition, record.offset(), written);
        }
    }

    /** One try at a job; false when PostgreSQL or Kafka failed before the outcome was written. */
    private boolean attempt(ConsumerRecord<String, byte[]> record) {
        try {
            runner.run(record);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            LOG.warnf("job outcome not written, will run it again from=%s-%d@%d cause=%s", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            try {
                Thread.sleep(config.infrastructureRetryDelay());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    /** Pause fetching while too many records wait; resume once half of them are done. */
    private void applyBackpressure(KafkaConsumer<String, byte[]> c) {
        int buffered = tracker.buffered();
        if (buffered >= config.maxBufferedRecords() && c.paused().size() < c.assignment().size()) {
            c.pause(c.assignment());
        } else if (buffered < config.maxBufferedRecords() / 2 && !c.paused().isEmpty()) {
            c.resume(c.paused());
        }
    }

    private void commit(KafkaConsumer<String, byte[]> c, Map<TopicPartition, OffsetAndMetadata> offsets, boolean sync) {
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            c.commitSync(offsets);
            tracker.committed(offsets);
        } else {
            c.commitAsync(offsets, (done, error) -> {
                if (error == null) {
                    tracker.committed(done);
                } else {
                    LOG.warnf("offset commit failed, will retry cause=%s", error.getMessage());
                }
            });
        }
    }

    /** On shutdown: queued jobs are handed back uncommitted, running ones get up to the drain timeout. */
    private void drainAndCommit(KafkaConsumer<String, byte[]> c) {
        Collection<TopicPartition> owned = tracker.tracked();
        try {
            tracker.revokeAndAwait(owned, config.drainTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            commit(c, tracker.committable(c.assignment()), true);
        } catch (RuntimeException e) {
            LOG.warnf("final offset commit failed; uncommitted jobs will run again cause=%s", e.getMessage());
        }
        LOG.info("job consumer stopped");
    }

    /** Before partitions move away, let their running jobs finish and commit what is done. */
    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> c;

        Rebalance(KafkaConsumer<String, byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            try {
                tracker.revokeAndAwait(partitions, config.drainTimeout().toMillis());
                commit(c, tracker.committable(partitions), true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warnf("commit on revocation failed; those jobs will run again elsewhere cause=%s", e.getMessage());
            } finally {
                tracker.forget(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            try {
                tracker.revokeAndAwait(partitions, 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tracker.forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.infof("partitions assigned %s", partitions);
        }
    }
}
