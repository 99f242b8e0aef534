package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What the tracker holds back until the first unfinished record of a partition finishes. */
class OffsetTrackerTest {

    private static final TopicPartition TP = new TopicPartition("linkedin.jobs.post", 0);

    @Test
    void finishedOutputsWaitingBehindAnUnfinishedRecordCountAsBuffered() {
        OffsetTracker tracker = new OffsetTracker();
        OffsetTracker.Partition p = null;
        for (long offset = 0; offset < 10; offset++) {
            p = tracker.register(TP, offset);
        }
        for (long offset = 1; offset < 10; offset++) {
            tracker.start(p);
            tracker.finish(p, offset, List.of(new ProducerRecord<>("linkedin.jobs.results", "a", new byte[] {1})));
        }
        assertThat(tracker.release(List.of(TP)).outputs()).as("offset 0 is not done: no output can go out").isEmpty();
        assertThat(tracker.buffered()).as("9 finished outputs held in memory plus the unfinished record").isEqualTo(10);

        tracker.start(p);
        tracker.finish(p, 0, List.of());
        OffsetTracker.Release release = tracker.release(List.of(TP));
        assertThat(release.outputs()).hasSize(9).extracting(OffsetTracker.Output::sourceOffset)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(release.offsets().get(TP).offset()).isEqualTo(10);
        assertThat(tracker.buffered()).isZero();
    }

    @Test
    void aJobStillRunningWhenItsPartitionIsHandedOverIsCancelledBeforeTheHandover() throws Exception {
        OffsetTracker tracker = new OffsetTracker();
        OffsetTracker.Partition p = tracker.register(TP, 0);
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        Thread job = Thread.ofVirtual().start(() -> {
            tracker.start(p);
            started.countDown();
            try {
                Thread.sleep(60_000); // a LinkedIn call far longer than the drain timeout
            } catch (InterruptedException e) {
                interrupted.set(true);
            } finally {
                ended.set(true);
                tracker.finish(p, 0, null);
            }
        });
        started.await();
        long before = System.nanoTime();
        tracker.revokeAndAwait(List.of(TP), 300);
        long waitedMs = (System.nanoTime() - before) / 1_000_000;

        assertThat(interrupted).as("the job was cancelled").isTrue();
        assertThat(ended).as("and had ended before the handover").isTrue();
        job.join();
        assertThat(waitedMs).isBetween(300L, 5_000L);
    }
}
