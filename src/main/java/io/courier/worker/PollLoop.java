package io.courier.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;
import io.courier.platform.Outbox;
import java.util.ArrayList;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * One Kafka poll loop: polls on its own platform thread, runs records on the shared key-ordered executor, and
 * commits each partition only up to its first unfinished record (OffsetTracker). A record's outputs (result,
 * dead letter, retry) and its offset are committed in one Kafka transaction: finished jobs leave their outputs
 * with the tracker, and at most every courier.worker.commit-interval the poll thread publishes the outputs its
 * offsets cover, sends the offsets and commits. So a crash at any point yields each outcome exactly once to read_committed readers, and jobs
 * never wait for a broker round trip. With a {@code holdUntil}
 * function it also waits for records that are not due yet: it pauses their partition and seeks back, so the
 * consumer keeps polling (well inside max.poll.interval.ms) while nothing is read from that partition.
 */
final class PollLoop {

    private static final Logger LOG = Logger.getLogger(PollLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    /** Runs one record to its outcome, put in the outbox; throws when that failed (e.g. PostgreSQL is down). */
    interface RecordHandler {
        void handle(ConsumerRecord<String, byte[]> record, Outbox outbox);
    }

    private final String name;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Supplier<KafkaProducer<String, byte[]>> producers;
    private KafkaProducer<String, byte[]> producer;
    private final List<String> topics;
    private final KeyOrderedExecutor executor;
    private final WorkerConfig config;
    private final RecordHandler handler;
    private final Function<ConsumerRecord<String, byte[]>, Optional<Instant>> holdUntil;
    private final Clock clock;
    private final OffsetTracker tracker = new OffsetTracker();
    private final Map<TopicPartition, Instant> held = new HashMap<>();
    private final MeterRegistry metrics;
    private final Map<String, AtomicLong> lagByTopic = new ConcurrentHashMap<>();
    private Instant lagMeasuredAt = Instant.EPOCH;
    private Instant lastCommit = Instant.EPOCH;
    private volatile boolean running;
    private Thread thread;

    PollLoop(String name, KafkaConsumer<String, byte[]> consumer, Supplier<KafkaProducer<String, byte[]>> producers,
             List<String> topics, KeyOrderedExecutor executor, WorkerConfig config, RecordHandler handler,
             Function<ConsumerRecord<String, byte[]>, Optional<Instant>> holdUntil, Clock clock, MeterRegistry metrics) {
        this.name = name;
        this.metrics = metrics;
        this.consumer = consumer;
        this.producers = producers;
        this.topics = topics;
        this.executor = executor;
        this.config = config;
        this.handler = handler;
        this.holdUntil = holdUntil;
        this.clock = clock;
    }

    void start() {
        running = true;
        thread = Thread.ofPlatform().name("courier-poll-" + name).start(this::loop);
    }

    void stop() throws InterruptedException {
        if (thread == null) {
            return;
        }
        running = false;
        consumer.wakeup();
        thread.join(config.drainTimeout().plusSeconds(10).toMillis());
    }

    private void loop() {
        try (consumer) {
            producer = producers.get();
            producer.beginTransaction();
            consumer.subscribe(topics, new Rebalance());
            LOG.infof("consumer started loop=%s topics=%s", name, topics);
            while (running) {
                try {
                    Set<TopicPartition> heldNow = new HashSet<>();
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                        offer(record, heldNow);
                    }
                } catch (WakeupException e) {
                    break;
                }
                releaseDue();
                applyBackpressure();
                if (!clock.instant().isBefore(lastCommit.plus(config.commitInterval()))) {
                    commit(consumer.assignment());
                    lastCommit = clock.instant();
                }
                measureLag();
            }
            drainAndCommit();
        } catch (RuntimeException e) {
            LOG.errorf(e, "consumer stopped on an unexpected error loop=%s", name);
        } finally {
            if (producer != null) {
                // Everything that must survive was committed (commitTransaction flushes); the open transaction is
                // empty or abandoned on purpose, so there is nothing to wait for.
                producer.close(Duration.ZERO);
            }
        }
    }

    private void offer(ConsumerRecord<String, byte[]> record, Set<TopicPartition> heldNow) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        if (heldNow.contains(tp)) {
            return; // behind a record that is not due: read again after the seek
        }
        Optional<Instant> wake = holdUntil.apply(record).filter(at -> at.isAfter(clock.instant()));
        if (wake.isPresent()) {
            consumer.pause(List.of(tp));
            consumer.seek(tp, record.offset());
            held.put(tp, wake.get());
            heldNow.add(tp);
            return;
        }
        OffsetTracker.Partition partition = tracker.register(tp, record.offset());
        // Records are keyed by accountId (CONTRACT §3); a record without a key is ordered with its partition.
        String orderKey = record.key() != null ? "k:" + record.key() : "p:" + tp;
        executor.submit(orderKey, () -> runOne(partition, record));
    }

    /**
     * Records not yet read, per topic, from the consumer's own fetch positions (no broker round trip):
     * {@code courier_consumer_lag{topic}}. For the retry tiers this is how much work is waiting.
     */
    private void measureLag() {
        Instant now = clock.instant();
        if (now.isBefore(lagMeasuredAt.plusSeconds(1))) {
            return;
        }
        lagMeasuredAt = now;
        Map<String, Long> sums = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            consumer.currentLag(tp).ifPresent(lag -> sums.merge(tp.topic(), lag, Long::sum));
        }
        lagByTopic.keySet().forEach(topic -> sums.putIfAbsent(topic, 0L));
        sums.forEach((topic, lag) -> lagByTopic.computeIfAbsent(topic, t -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("courier.consumer.lag", value, AtomicLong::get).description("Records not yet read, per topic")
                    .tag("topic", t).register(metrics);
            return value;
        }).set(lag));
    }

    private void releaseDue() {
        Instant now = clock.instant();
        List<TopicPartition> due = held.entrySet().stream().filter(e -> !e.getValue().isAfter(now))
                .map(Map.Entry::getKey).toList();
        if (!due.isEmpty()) {
            due.forEach(held::remove);
            consumer.resume(due);
        }
    }

    private void runOne(OffsetTracker.Partition partition, ConsumerRecord<String, byte[]> record) {
        if (!tracker.start(partition)) {
            return; // the partition moved to another consumer, which will run this record
        }
        List<ProducerRecord<String, byte[]>> done = null;
        try {
            List<ProducerRecord<String, byte[]>> outputs = new ArrayList<>();
            while (done == null && running && !partition.isClosing()) {
                outputs.clear();
                if (attempt(record, outputs)) {
                    done = outputs;
                }
            }
        } finally {
            tracker.finish(partition, record.offset(), done);
        }
    }

    /** One try at a record; false when PostgreSQL or Kafka failed before the outcome was written. */
    private boolean attempt(ConsumerRecord<String, byte[]> record, List<ProducerRecord<String, byte[]>> outputs) {
        try {
            handler.handle(record, outputs::add);
            return true;
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

    /** Pause fetching while too many records wait; resume once half of them are done (held ones stay held). */
    private void applyBackpressure() {
        int buffered = tracker.buffered();
        if (buffered >= config.maxBufferedRecords() && consumer.paused().size() < consumer.assignment().size()) {
            consumer.pause(consumer.assignment());
        } else if (buffered < config.maxBufferedRecords() / 2) {
            List<TopicPartition> resumable = consumer.paused().stream().filter(tp -> !held.containsKey(tp)).toList();
            if (!resumable.isEmpty()) {
                consumer.resume(resumable);
            }
        }
    }

    /** One transaction: the outputs of the records now committable, then their offsets. */
    private void commit(Collection<TopicPartition> of) {
        OffsetTracker.Release release = tracker.release(of);
        if (release.isEmpty()) {
            return;
        }
        try {
            release.outputs().forEach(producer::send);
            producer.sendOffsetsToTransaction(release.offsets(), consumer.groupMetadata());
            producer.commitTransaction();
            tracker.committed(release.offsets());
            producer.beginTransaction();
        } catch (KafkaException e) {
            recover(e);
        }
    }

    /**
     * A transaction that could not commit is aborted: its outputs never become visible, so every record it held
     * must run again. Forget what was in flight and rewind to the committed offsets.
     */
    private void recover(KafkaException cause) {
        LOG.warnf("transaction aborted, rewinding to committed offsets loop=%s cause=%s", name, cause.toString());
        try {
            producer.abortTransaction();
        } catch (KafkaException fatal) {
            producer.close(Duration.ZERO); // fenced or broken: a new producer (new transactional id) takes over
            producer = producers.get();
        }
        tracker.forget(tracker.tracked());
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata at = committed.get(tp);
            if (at != null) {
                consumer.seek(tp, at);
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
        producer.beginTransaction();
    }

    /** On shutdown: queued records are handed back uncommitted, running ones get up to the drain timeout. */
    private void drainAndCommit() {
        Collection<TopicPartition> owned = tracker.tracked();
        try {
            tracker.revokeAndAwait(owned, config.drainTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commit(consumer.assignment());
        LOG.infof("consumer stopped loop=%s", name);
    }

    /** Before partitions move away, let their running jobs finish and commit what is done. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            partitions.forEach(held::remove);
            try {
                tracker.revokeAndAwait(partitions, config.drainTimeout().toMillis());
                commit(partitions);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                tracker.forget(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(held::remove);
            try {
                tracker.revokeAndAwait(partitions, 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tracker.forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.infof("partitions assigned loop=%s partitions=%s", name, partitions);
        }
    }
}
