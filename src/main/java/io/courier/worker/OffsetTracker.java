package io.courier.worker;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which polled records have finished, per partition, so the consumer commits only up to the first record whose
 * outcome is not yet written. Jobs finish out of order (different accounts run in parallel); the committed
 * offset never passes an unfinished one, so a crash redelivers it instead of losing it.
 */
final class OffsetTracker {

    /**
     * One assignment of one partition. Tasks hold it. Once closing, queued tasks do not start (running ones may
     * still finish and publish); once abandoned, nothing of it may be published any more.
     */
    static final class Partition {
        final TopicPartition tp;
        private final TreeSet<Long> pending = new TreeSet<>();
        private int running;
        private long nextOffset = -1;
        private long committed = -1;
        private volatile boolean closing;
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
        return true;
    }

    synchronized void finish(Partition p, long offset, boolean outcomeWritten) {
        p.running--;
        if (outcomeWritten) {
            p.pending.remove(offset);
        }
        notifyAll();
    }

    synchronized int buffered() {
        return partitions.values().stream().mapToInt(p -> p.pending.size()).sum();
    }

    /** Offsets that can be committed now and have not been yet. */
    synchronized Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> of) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : of) {
            Partition p = partitions.get(tp);
            if (p == null || p.nextOffset < 0) {
                continue;
            }
            long safe = p.pending.isEmpty() ? p.nextOffset : p.pending.first();
            if (safe > p.committed) {
                offsets.put(tp, new OffsetAndMetadata(safe));
            }
        }
        return offsets;
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
        return java.util.List.copyOf(partitions.keySet());
    }

    /**
     * Stops queued tasks of these partitions from starting and waits (bounded) for running ones to finish,
     * so their outcomes can be committed before another consumer takes over.
     */
    synchronized void revokeAndAwait(Collection<TopicPartition> tps, long timeoutMillis) throws InterruptedException {
        tps.forEach(tp -> {
            Partition p = partitions.get(tp);
            if (p != null) {
                p.closing = true;
            }
        });
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (tps.stream().map(partitions::get).anyMatch(p -> p != null && p.running > 0)) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            wait(left);
        }
    }

    /** Forgets these partitions; a task of theirs still running can no longer publish (another consumer will run it). */
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
