package io.courier.worker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Which polled records have finished, per partition, and the output records each finished one produced. Jobs
 * finish out of order (different accounts run in parallel), but outputs are released for publishing only
 * together with the offset that covers them: up to the first unfinished record. So an output never becomes
 * visible before its offset is committed in the same transaction, and a crash redelivers instead of losing.
 */
final class OffsetTracker {

    private static final Logger LOG = Logger.getLogger(OffsetTracker.class);

    /**
     * One assignment of one partition. Tasks hold it. Once closing, queued tasks do not start (running ones may
     * still finish and publish); once abandoned, nothing of it may be published any more.
     */
    static final class Partition {
        final TopicPartition tp;
        private final TreeSet<Long> pending = new TreeSet<>();
        private final TreeMap<Long, List<ProducerRecord<String, byte[]>>> outputs = new TreeMap<>();
        private int running;
        /** The threads running this partition's records: cancelled when it is handed over before they end. */
        private final Set<Thread> runners = new HashSet<>();
        private long nextOffset = -1;
        private long committed = -1;
        private volatile boolean closing;
        private volatile boolean cancelled;
        private volatile boolean abandoned;

        Partition(TopicPartition tp) {
            this.tp = tp;
        }

        boolean isClosing() {
            return closing;
        }

        boolean isAbandoned() {
            return abandoned;
        }

        /** Its running jobs were told to stop (handed over before they ended): they must start no LinkedIn call. */
        boolean isCancelled() {
            return cancelled || abandoned;
        }
    }

    private final Map<TopicPartition, Partition> partitions = new HashMap<>();

    synchronized Partition register(TopicPartition tp, long offset) {
        Partition p = partitions.computeIfAbsent(tp, Partition::new);
        p.pending.add(offset);
        p.nextOffset = Math.max(p.nextOffset, offset + 1);
        return p;
    }

    /** Called when a task starts; false means its partition was revoked and the task must not run. */
    synchronized boolean start(Partition p) {
        if (p.closing) {
            return false;
        }
        p.running++;
        p.runners.add(Thread.currentThread());
        return true;
    }

    /** A task ended; with outputs (possibly none) when the record is done, null when it must run again. */
    synchronized void finish(Partition p, long offset, List<ProducerRecord<String, byte[]>> done) {
        p.running--;
        p.runners.remove(Thread.currentThread());
        if (done != null && !p.abandoned) {
            p.pending.remove(offset);
            p.outputs.put(offset, List.copyOf(done));
        }
        notifyAll();
    }

    /** An output record with the polled record that produced it. */
    record Output(TopicPartition source, long sourceOffset, ProducerRecord<String, byte[]> record) {}

    /** What one transaction commits: offsets, and the outputs of exactly the records those offsets cover. */
    record Release(Map<TopicPartition, OffsetAndMetadata> offsets, List<Output> outputs) {
        boolean isEmpty() {
            return offsets.isEmpty();
        }
    }

    /** Takes the outputs that can be published now, in offset order, with the offsets that cover them. */
    synchronized Release release(Collection<TopicPartition> of) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        List<Output> out = new ArrayList<>();
        for (TopicPartition tp : of) {
            Partition p = partitions.get(tp);
            if (p == null || p.nextOffset < 0) {
                continue;
            }
            long safe = p.pending.isEmpty() ? p.nextOffset : p.pending.first();
            if (safe > p.committed) {
                offsets.put(tp, new OffsetAndMetadata(safe));
                var covered = p.outputs.headMap(safe);
                covered.forEach((offset, records) -> records.forEach(r -> out.add(new Output(tp, offset, r))));
                covered.clear();
            }
        }
        return new Release(offsets, out);
    }

    /**
     * Records held in memory: unfinished ones, and finished ones whose outputs wait for an earlier record of their
     * partition (they cannot commit before it). Both count, so backpressure bounds memory behind a slow record.
     */
    synchronized int buffered() {
        return partitions.values().stream().mapToInt(p -> p.pending.size() + p.outputs.size()).sum();
    }

    /** Records polled and not finished: what jobs still have to move (finished ones wait only for a commit). */
    synchronized int unfinished() {
        return partitions.values().stream().mapToInt(p -> p.pending.size()).sum();
    }

    synchronized void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, om) -> {
            Partition p = partitions.get(tp);
            if (p != null) {
                p.committed = Math.max(p.committed, om.offset());
            }
        });
    }

    synchronized Collection<TopicPartition> tracked() {
        return List.copyOf(partitions.keySet());
    }

    /**
     * Stops queued tasks of these partitions from starting and waits (bounded) for running ones to finish, so their
     * outcomes can be committed before another consumer takes over. Tasks still running at the timeout are
     * interrupted (a LinkedIn call in flight is cancelled) and given {@code CANCEL_GRACE} to end: the next owner must
     * not run a job while this one still does (two owners posting at once). A cancelled post may still have reached
     * LinkedIn; the next owner's call then gets LinkedIn's duplicate-post answer, which is a success.
     */
    synchronized void revokeAndAwait(Collection<TopicPartition> tps, long timeoutMillis) throws InterruptedException {
        tps.forEach(tp -> {
            Partition p = partitions.get(tp);
            if (p != null) {
                p.closing = true;
            }
        });
        if (awaitIdle(tps, timeoutMillis)) {
            return;
        }
        tps.stream().map(partitions::get).filter(p -> p != null).forEach(p -> {
            p.cancelled = true; // an interrupt alone can be swallowed on the way (RunningJob)
            p.runners.forEach(Thread::interrupt);
        });
        if (!awaitIdle(tps, CANCEL_GRACE_MILLIS)) {
            LOG.warnf(
                    "jobs still running after they were cancelled; handing their partitions over anyway partitions=%s",
                    tps);
        }
    }

    private static final long CANCEL_GRACE_MILLIS = 5_000;

    /** Waits until no task of these partitions runs; false at the timeout. */
    private boolean awaitIdle(Collection<TopicPartition> tps, long timeoutMillis) throws InterruptedException {
        // A duration, not a time of day: nanoTime, which no clock change moves.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (tps.stream().map(partitions::get).anyMatch(p -> p != null && p.running > 0)) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /**
     * Forgets these partitions; a task of theirs still running can no longer publish (another consumer will run it).
     */
    synchronized void forget(Collection<TopicPartition> tps) {
        tps.forEach(tp -> {
            Partition p = partitions.remove(tp);
            if (p != null) {
                p.closing = true;
                p.abandoned = true;
            }
        });
    }
}
