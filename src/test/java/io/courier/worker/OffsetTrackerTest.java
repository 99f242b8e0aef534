package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the tracker holds back until the first unfinished record of a partition finishes. */
class OffsetTrackerTest {

    private static final TopicPartition TP = new TopicPartition("linkedin.jobs.post", 0);
    private static final TopicPartition OTHER = new TopicPartition("linkedin.jobs.post", 1);

    /** One output per finished record, its value the record's offset, so a release shows which records it covers. */
    private static List<ProducerRecord<String, byte[]>> outputOf(long offset) {
        return List.of(new ProducerRecord<>("linkedin.jobs.results", "a", new byte[] {(byte) offset}));
    }

    private static void run(OffsetTracker tracker, OffsetTracker.Partition p, long offset) {
        assertThat(tracker.start(p)).isTrue();
        tracker.finish(p, offset, outputOf(offset));
    }

    private static List<Long> offsets(String csv) {
        return csv == null || csv.isBlank()
                ? List.of()
                : Arrays.stream(csv.trim().split(" ")).map(Long::valueOf).toList();
    }

    @ParameterizedTest(name = "polled {0}, finished in the order {1}: commits {2}, releases the outputs of {3}")
    @CsvSource(delimiter = '|', value = {
            "0 1 2 3 | 0 1 2 3 | 4  | 0 1 2 3",
            "0 1 2 3 | 3 2 1 0 | 4  | 0 1 2 3",
            "0 1 2 3 | 2 0     | 1  | 0",
            "0 1 2 3 | 1 2 3   | 0  | ",
            "7 8     | 8       | 7  | ",
            "0 1 2 3 | 0 3     | 1  | 0",
            "0 1 2 3 | 0 1 3   | 2  | 0 1",
            "0 5 9   | 9 0     | 5  | 0",
            "0 5 9   | 5 9 0   | 10 | 0 5 9",
            "7       | 7       | 8  | 7",
            "3 4 5   |         | 3  | ",
            "0 1 2 3 4 | 4 3 1 0 | 2 | 0 1"})
    void releasesOutputsOnlyWithTheOffsetThatCoversThem(String polled, String finished, long commit, String released) {
        OffsetTracker tracker = new OffsetTracker();
        OffsetTracker.Partition p = null;
        for (long offset : offsets(polled)) {
            p = tracker.register(TP, offset);
        }
        for (long offset : offsets(finished)) {
            run(tracker, p, offset);
        }
        OffsetTracker.Release release = tracker.release(List.of(TP));

        assertThat(release.offsets()).as("up to the first unfinished record")
                .containsExactly(Map.entry(TP, new OffsetAndMetadata(commit)));
        assertThat(release.outputs()).extracting(OffsetTracker.Output::sourceOffset)
                .containsExactlyElementsOf(offsets(released));
        assertThat(release.outputs()).allSatisfy(o -> {
            assertThat(o.source()).isEqualTo(TP);
            assertThat(o.record().value()).containsExactly((byte) o.sourceOffset());
        });
        assertThat(tracker.buffered()).as("unfinished plus finished-but-unreleased records")
                .isEqualTo(offsets(polled).size() - offsets(released).size());
        assertThat(tracker.unfinished()).isEqualTo(offsets(polled).size() - offsets(finished).size());
    }

    @Test
    void aRecordThatMustRunAgainHoldsBackItsPartition() {
        OffsetTracker tracker = new OffsetTracker();
        OffsetTracker.Partition p = tracker.register(TP, 0);
        tracker.register(TP, 1);
        tracker.start(p);
        tracker.finish(p, 0, null);
        run(tracker, p, 1);

        OffsetTracker.Release held = tracker.release(List.of(TP));
        assertThat(held.offsets()).containsExactly(Map.entry(TP, new OffsetAndMetadata(0)));
        assertThat(held.outputs()).isEmpty();
        assertThat(tracker.buffered()).isEqualTo(2);
        assertThat(tracker.unfinished()).as("the one to run again").isEqualTo(1);

        run(tracker, p, 0);
        assertThat(tracker.release(List.of(TP)).outputs()).extracting(OffsetTracker.Output::sourceOffset)
                .containsExactly(0L, 1L);
    }

    @Test
    void anOffsetIsReleasedAgainUntilItIsCommittedAndNeverItsOutputs() {
        OffsetTracker tracker = new OffsetTracker();
        OffsetTracker.Partition p = tracker.register(TP, 0);
        run(tracker, p, 0);
        OffsetTracker.Release first = tracker.release(List.of(TP));
        assertThat(first.outputs()).hasSize(1);

        OffsetTracker.Release again = tracker.release(List.of(TP));
        assertThat(again.offsets()).as("the transaction may have failed: the offset goes again")
                .isEqualTo(first.offsets());
        assertThat(again.outputs()).as("outputs go out once").isEmpty();

        tracker.committed(first.offsets());
        assertThat(tracker.release(List.of(TP)).isEmpty()).isTrue();
        tracker.committed(Map.of(TP, new OffsetAndMetadata(0)));
        assertThat(tracker.release(List.of(TP)).isEmpty()).as("an older commit does not move the mark back").isTrue();
    }

    @Test
    void releasesOnlyThePartitionsAskedFor() {
        OffsetTracker tracker = new OffsetTracker();
        OffsetTracker.Partition p = tracker.register(TP, 0);
        OffsetTracker.Partition q = tracker.register(OTHER, 3);
        run(tracker, p, 0);
        run(tracker, q, 3);

        OffsetTracker.Release release = tracker.release(List.of(OTHER, new TopicPartition("never.polled", 0)));
        assertThat(release.offsets()).containsOnlyKeys(OTHER);
        assertThat(release.outputs()).extracting(OffsetTracker.Output::source).containsExactly(OTHER);
        assertThat(tracker.buffered()).isEqualTo(1);
        assertThat(tracker.tracked()).containsExactlyInAnyOrder(TP, OTHER);
    }

    @Test
    void aRevokedPartitionStartsNoQueuedTaskButKeepsWhatFinished() throws Exception {
        OffsetTracker tracker = new OffsetTracker();
        OffsetTracker.Partition p = tracker.register(TP, 0);
        tracker.register(TP, 1);
        run(tracker, p, 0);

        tracker.revokeAndAwait(List.of(TP), 1_000);

        assertThat(p.isClosing()).isTrue();
        assertThat(p.isCancelled()).as("nothing was running: nothing to cancel").isFalse();
        assertThat(tracker.start(p)).as("a queued task of a revoked partition").isFalse();
        assertThat(tracker.release(List.of(TP)).outputs()).as("committed before the handover")
                .extracting(OffsetTracker.Output::sourceOffset).containsExactly(0L);
    }

    @Test
    void aForgottenPartitionPublishesNothingOfATaskStillRunning() {
        OffsetTracker tracker = new OffsetTracker();
        OffsetTracker.Partition old = tracker.register(TP, 0);
        assertThat(tracker.start(old)).isTrue();

        tracker.forget(List.of(TP));
        assertThat(old.isAbandoned()).isTrue();
        assertThat(old.isCancelled()).isTrue();
        assertThat(tracker.tracked()).isEmpty();
        tracker.finish(old, 0, outputOf(0));
        assertThat(tracker.buffered()).isZero();
        assertThat(tracker.release(List.of(TP)).isEmpty()).isTrue();

        OffsetTracker.Partition again = tracker.register(TP, 0); // assigned back: a fresh assignment
        assertThat(again).isNotSameAs(old);
        assertThat(tracker.start(again)).isTrue();
        tracker.finish(again, 0, List.of());
        OffsetTracker.Release release = tracker.release(List.of(TP));
        assertThat(release.offsets()).containsExactly(Map.entry(TP, new OffsetAndMetadata(1)));
        assertThat(release.outputs()).as("the old assignment's output is gone").isEmpty();
    }

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
