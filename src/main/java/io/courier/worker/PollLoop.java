package io.courier.worker;

import io.courier.platform.Outages;
import io.courier.platform.Outputs;
import io.courier.platform.RecordLimit;
import io.courier.platform.RunningJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * One Kafka poll loop: polls on its own platform thread, runs records on the shared key-ordered executor, and
 * commits each partition only up to its first unfinished record (OffsetTracker). A record's outputs (result,
 * dead letter, retry) and its offset are committed in one Kafka transaction: finished jobs leave their outputs
 * with the tracker, and at most every courier.worker.commit-interval the poll thread publishes the outputs its
 * offsets cover, sends the offsets and commits. So a crash at any point yields each outcome exactly once to
 * read_committed readers, and jobs
 * never wait for a broker round trip. With a {@code holdUntil}
 * function it also waits for records that are not due yet: it pauses their partition and seeks back, so the
 * consumer keeps polling (well inside max.poll.interval.ms) while nothing is read from that partition.
 */
final class PollLoop {

    private static final Logger LOG = Logger.getLogger(PollLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    /** Runs one record to its outcome, put in the outputs; throws when that failed (e.g. PostgreSQL is down). */
    interface RecordHandler {
        void handle(ConsumerRecord<String, byte[]> record, Outputs outputs);

        /**
         * The record failed {@code tries} times with exceptions that are no outage: put its final outcome in the
         * outputs.
         */
        void giveUp(ConsumerRecord<String, byte[]> record, Outputs outputs, RuntimeException cause, int tries);
    }

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final String name;
    /** Run before each generation starts (topics are created there, so an unreachable broker is retried). */
    private final Runnable prepare;
    private final Supplier<KafkaConsumer<String, byte[]>> consumers;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final Supplier<KafkaProducer<String, byte[]>> producers;
    private KafkaProducer<String, byte[]> producer;
    private final List<String> topics;
    private final KeyOrderedExecutor executor;
    private final WorkerConfig config;
    private final RecordHandler handler;
    private final Function<ConsumerRecord<String, byte[]>, Optional<Instant>> holdUntil;
    private final Clock clock;
    private final OffsetTracker tracker = new OffsetTracker();
    private final RefusedOutputs refused = new RefusedOutputs();
    private final LagGauges lag;
    private final Map<TopicPartition, Instant> held = new HashMap<>();
    private final Counter restarts;
    private final Counter dropped;
    private Instant lastCommit = Instant.EPOCH;
    private volatile boolean running;
    /** When the poll thread last went round its loop (liveness reads it). */
    private volatile Instant heartbeat;
    /** When a job of this loop last started, ended a try, or reported progress; or when work arrived after idling. */
    private volatile Instant progress;
    private Thread thread;

    PollLoop(String name, Runnable prepare, Supplier<KafkaConsumer<String, byte[]>> consumers,
            Supplier<KafkaProducer<String, byte[]>> producers,
            List<String> topics, KeyOrderedExecutor executor, WorkerConfig config, RecordHandler handler,
            Function<ConsumerRecord<String, byte[]>, Optional<Instant>> holdUntil, Clock clock, MeterRegistry metrics) {
        this.name = name;
        this.prepare = prepare;
        this.consumers = consumers;
        this.producers = producers;
        this.topics = topics;
        this.executor = executor;
        this.config = config;
        this.handler = handler;
        this.holdUntil = holdUntil;
        this.clock = clock;
        this.heartbeat = clock.instant();
        this.progress = clock.instant();
        this.lag = new LagGauges(metrics, clock);
        // Registered at 0 now, so that increase() and alerts see them before the first time they count.
        this.restarts = Counter.builder("courier.poll.loop.restarts")
                .description("Consumer loops started again after failing").tag("loop", name).register(metrics);
        this.dropped = Counter.builder("courier.outputs.dropped")
                .description("Records committed without any output because not even their dead letter could be written")
                .tag("loop", name).register(metrics);
    }

    void start() {
        running = true;
        heartbeat = clock.instant();
        thread = Thread.ofPlatform().name("courier-poll-" + name).start(this::supervise);
    }

    /** Asks the loop to stop: it drains and commits what it can, then ends. Returns at once. */
    void beginStop() {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    /** Waits until the loop has ended, at most until the deadline. */
    void awaitStop(Instant deadline) throws InterruptedException {
        if (thread != null) {
            thread.join(Math.max(1, Duration.between(clock.instant(), deadline).toMillis()));
        }
    }

    String name() {
        return name;
    }

    /** When the poll thread last went round; stale while it is stuck, or while it fails to start again. */
    Instant heartbeat() {
        return heartbeat;
    }

    /**
     * When this loop's jobs last got anywhere, or now when no record is unfinished: stale while it has work that no job
     * moves on (a job that never returns, every job thread blocked), although the poll thread itself goes round.
     * Finished records waiting for their commit do not count: a broker that does not answer is an outage, which
     * liveness leaves alone (a restart would not make it answer; the loop's own rounds cover a loop that is stuck).
     */
    Instant progress() {
        return tracker.unfinished() == 0 ? clock.instant() : progress;
    }

    private void progressed() {
        progress = clock.instant();
    }

    /** What a job of this partition reports to, and asks whether it was cancelled. */
    private RunningJob.Owner owner(OffsetTracker.Partition partition) {
        return new RunningJob.Owner() {
            @Override
            public void progressed() {
                PollLoop.this.progressed();
            }

            @Override
            public boolean cancelled() {
                return partition.isCancelled();
            }
        };
    }

    /**
     * Runs generations of the loop (a consumer and a transactional producer each) until stop: a generation that
     * ends on an error (the broker unreachable at start, a failed abort, anything unexpected) is replaced by a new
     * one after a backoff of 1 s doubling to 30 s. What ends it: stop(). Liveness sees a loop that keeps failing.
     */
    private void supervise() {
        Duration backoff = Duration.ofSeconds(1);
        while (running) {
            try {
                runGeneration();
                return;
            } catch (RuntimeException | Error e) {
                if (!running) {
                    return; // stopping: the failure is the shutdown's (a closed client), nothing to start again
                }
                // WARN: the loop recovers by itself; liveness turns DOWN if it keeps failing
                // (courier.worker.liveness-timeout).
                LOG.warnf(e, "consumer loop failed, starting it again in %s loop=%s", backoff, name);
                restarts.increment();
            }
            sleepWhileRunning(backoff);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private void runGeneration() {
        prepare.run();
        try (KafkaConsumer<String, byte[]> fresh = consumers.get()) {
            consumer = fresh;
            producer = producers.get(); // initTransactions: throws after max.block.ms while the broker is unreachable
            producer.beginTransaction();
            consumer.subscribe(topics, new Rebalance());
            LOG.infof("consumer started loop=%s topics=%s", name, topics);
            while (running) {
                heartbeat = clock.instant();
                try {
                    if (tracker.unfinished() == 0) {
                        progressed(); // idle until now: the stall clock starts with the work
                    }
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
                lag.measure(consumer);
            }
            drainAndCommit();
        } finally {
            abandonAll();
            held.clear();
            if (producer != null) {
                // Everything that must survive was committed (commitTransaction flushes); the open transaction is
                // empty or abandoned on purpose, so there is nothing to wait for.
                producer.close(Duration.ZERO);
                producer = null;
            }
        }
    }

    /**
     * A generation ended: what it polled but did not commit is run again by the next consumer of its partitions.
     * Running jobs get the drain timeout to end first, so this process never runs a record twice at once.
     */
    private void abandonAll() {
        Collection<TopicPartition> owned = tracker.tracked();
        try {
            tracker.revokeAndAwait(owned, config.drainTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tracker.forget(owned);
    }

    /** Sleeps in short steps so that stop() is not kept waiting; ends early when the loop stops. */
    private void sleepWhileRunning(Duration total) {
        Instant until = clock.instant().plus(total);
        try {
            while (running && clock.instant().isBefore(until)) {
                Thread.sleep(Math.min(100, Math.max(1, Duration.between(clock.instant(), until).toMillis())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        // A job cancelled on an earlier hand-over may have left this thread (it runs its key's queue) interrupted;
        // left set, every blocking call of this job would fail at once and its retries would spin.
        Thread.interrupted();
        if (!tracker.start(partition)) {
            return; // the partition moved to another consumer, which will run this record
        }
        progressed();
        List<ProducerRecord<String, byte[]>> done = null;
        try {
            done = runToOutcome(partition, record);
        } finally {
            tracker.finish(partition, record.offset(), done);
            progressed();
        }
    }

    /**
     * Runs a record until it has an outcome; null when the loop stops or the partition moves away first (the record
     * stays uncommitted and runs again). An outage of PostgreSQL, Redis or Kafka is waited out (readiness says so);
     * any other exception is tried courier.worker.max-infrastructure-attempts times, then the record is given up
     * (INTERNAL), so no record holds its partition for ever. Waits between tries double up to 30 s.
     */
    private List<ProducerRecord<String, byte[]>> runToOutcome(OffsetTracker.Partition partition,
            ConsumerRecord<String, byte[]> record) {
        if (refused.of(record) > 0) {
            return afterRefusal(partition, record);
        }
        int failures = 0;
        int outages = 0;
        // Interrupted only when cancelled: the partition is being handed over, and the next owner runs the record.
        while (running && !partition.isClosing() && !Thread.currentThread().isInterrupted()) {
            List<ProducerRecord<String, byte[]>> outputs = new ArrayList<>();
            try {
                RunningJob.runFor(owner(partition), () -> handler.handle(record, outputs::add));
                return outputs;
            } catch (RuntimeException | StackOverflowError | LinkageError e) {
                progressed(); // a try that failed still ended: an outage waited out is not a stall
                boolean outage = Outages.isOutage(e);
                if (!outage && ++failures >= config.maxInfrastructureAttempts()) {
                    return giveUp(partition, record, e, failures);
                }
                int tries = outage ? ++outages : failures;
                LOG.warnf("job outcome not written, will run it again from=%s-%d@%d try=%d outage=%s cause=%s",
                        record.topic(), record.partition(), record.offset(), tries, outage, e.toString());
                pause(backoff(tries));
            }
        }
        return null;
    }

    /**
     * The record's final outcome from the handler (a dead letter). If even that fails, it is tried again while it is
     * an outage; otherwise the record is committed without outputs (logged and counted), so that it cannot hold its
     * partition. Null only when the loop stops or the partition moves away first (the next owner runs it).
     */
    private List<ProducerRecord<String, byte[]>> giveUp(OffsetTracker.Partition partition,
            ConsumerRecord<String, byte[]> record, Throwable cause, int tries) {
        RuntimeException why = cause instanceof RuntimeException r
                ? r
                : new IllegalStateException(cause.toString(), cause);
        int outages = 0;
        while (running && !partition.isClosing() && !Thread.currentThread().isInterrupted()) {
            List<ProducerRecord<String, byte[]>> outputs = new ArrayList<>();
            try {
                handler.giveUp(record, outputs::add, why, tries);
                return outputs;
            } catch (RuntimeException e) {
                if (!Outages.isOutage(e)) {
                    LOG.errorf(e, "job could not even be dead-lettered; committed without output from=%s-%d@%d",
                            record.topic(), record.partition(), record.offset());
                    dropped.increment();
                    return List.of();
                }
                pause(backoff(++outages));
            }
        }
        return null;
    }

    private Duration backoff(int tries) {
        long ms = config.infrastructureRetryDelay().toMillis() << Math.min(tries - 1, 16);
        return Duration.ofMillis(Math.min(ms, MAX_BACKOFF.toMillis()));
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
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
        Map<OffsetTracker.Output, Exception> failed = new ConcurrentHashMap<>();
        try {
            for (OffsetTracker.Output output : release.outputs()) {
                producer.send(output.record(), (sent, e) -> {
                    if (RecordLimit.refusedForItself(e)) {
                        failed.put(output, e);
                    }
                });
            }
            producer.sendOffsetsToTransaction(release.offsets(), consumer.groupMetadata());
            producer.commitTransaction();
            tracker.committed(release.offsets());
            refused.committed(release.outputs());
            producer.beginTransaction();
        } catch (KafkaException e) {
            refused.aborted(failed.keySet());
            recover(e);
        }
    }

    /**
     * Kafka refused an output of this record (too large or invalid for the broker), which aborted the transaction of
     * every record in it. On its next run the record is given up (INTERNAL dead letter) instead of producing the same
     * output again; if even that is refused, it is committed without outputs and logged. Either way the others' outputs
     * go out in the next transaction: one record's output cannot abort them for ever.
     */
    private List<ProducerRecord<String, byte[]>> afterRefusal(OffsetTracker.Partition partition,
            ConsumerRecord<String, byte[]> record) {
        if (refused.of(record) == 1) {
            return giveUp(partition, record, new KafkaException("Kafka refused this job's output (too large or invalid "
                    + "for the broker)"), 1);
        }
        LOG.errorf("Kafka refused this job's outputs and its dead letter; committed without output from=%s-%d@%d",
                record.topic(), record.partition(), record.offset());
        dropped.increment();
        return List.of();
    }

    /**
     * A transaction that could not commit is aborted: its outputs never become visible, so every record it held
     * must run again. Forget what was in flight and rewind to the committed offsets.
     */
    private void recover(KafkaException cause) {
        LOG.warnf("transaction aborted, rewinding to committed offsets loop=%s cause=%s", name, cause.toString());
        try {
            producer.abortTransaction();
        } catch (KafkaException | IllegalStateException fatal) {
            // Fenced, broken, or in a state that cannot abort (e.g. after a commit timeout): a new producer (new
            // transactional id) takes over; if even that fails, the generation ends and the supervisor rebuilds it.
            producer.close(Duration.ZERO);
            producer = null;
            producer = producers.get();
        }
        tracker.forget(tracker.tracked());
        // Rewound, a held partition's head may be a record that is due already: hold nothing until it is read again.
        if (!held.isEmpty()) {
            consumer.resume(held.keySet());
            held.clear();
        }
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

    /**
     * On shutdown: queued records are handed back uncommitted, running ones get up to the drain timeout; then what is
     * done is committed once. The consumer's close then revokes partitions the tracker no longer holds: no second
     * drain.
     */
    private void drainAndCommit() {
        Collection<TopicPartition> owned = tracker.tracked();
        try {
            tracker.revokeAndAwait(owned, config.drainTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commit(consumer.assignment());
        tracker.forget(owned);
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
