package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many callers, few round trips: each caller gets its own answer, or its batch's failure; close ends the waits. */
class CoalescerTest {

    @Test
    void callsMadeDuringOneRoundTripGoTogetherAndEachGetsItsOwnAnswer() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        try (Coalescer<Integer, Integer> squares = new Coalescer<>("squares", 16, items -> {
            synchronized (sizes) {
                sizes.add(items.size());
            }
            sleep(20); // a round trip: the calls arriving meanwhile form the next batch
            return items.stream().map(i -> i * i).toList();
        }); ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = i;
                answers.add(callers.submit(() -> squares.call(n)));
            }
            for (int i = 0; i < 100; i++) {
                assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i * i);
            }
        }
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
        assertThat(sizes).allMatch(size -> size <= 16);
        assertThat(sizes.size()).as("round trips for 100 calls").isLessThan(25);
    }

    @Test
    void aLoneCallGoesAtOnce() {
        try (Coalescer<String, String> echo = new Coalescer<>("echo", 8, items -> items)) {
            long started = System.nanoTime();
            assertThat(echo.call("a")).isEqualTo("a");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(1000);
        }
    }

    @Test
    void everyCallerOfAFailedBatchGetsItsFailureAndLaterBatchesStillRun() throws Exception {
        AtomicInteger batches = new AtomicInteger();
        CountDownLatch queued = new CountDownLatch(1);
        RuntimeException down = new IllegalStateException("Redis is down");
        try (Coalescer<Integer, Integer> flaky = new Coalescer<>("flaky", 8, items -> {
            if (batches.incrementAndGet() == 1) {
                await(queued); // the first batch holds until the others are queued behind it
                throw down;
            }
            return items;
        }); ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> first = callers.submit(() -> flaky.call(0));
            while (batches.get() == 0) {
                Thread.onSpinWait();
            }
            Future<Integer> second = callers.submit(() -> flaky.call(1));
            Thread.sleep(50);
            queued.countDown();
            assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).hasCause(down);
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(flaky.call(2)).isEqualTo(2);
        }
    }

    @Test
    void aBatchThatAnswersTooFewFailsItsCallersNamingTheCoalescer() {
        try (Coalescer<Integer, Integer> broken = new Coalescer<>("broken", 8, items -> List.of())) {
            assertThatThrownBy(() -> broken.call(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("broken: a batch of 1 items got 0 answers");
        }
    }

    @Test
    void closeFailsWhatIsQueuedAndEveryLaterCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Coalescer<Integer, Integer> slow = new Coalescer<>("slow", 1, items -> {
            await(release);
            return items;
        });
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> inFlight = callers.submit(() -> slow.call(1));
            Thread.sleep(50);
            Future<Integer> queued = callers.submit(() -> slow.call(2));
            Thread.sleep(50);
            slow.close();
            assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS)).hasMessageContaining("slow is closed");
            release.countDown();
            assertThat(inFlight.get(10, TimeUnit.SECONDS)).as("a batch in flight still answers").isEqualTo(1);
            assertThatThrownBy(() -> slow.call(3)).hasMessageContaining("slow is closed");
        }
    }

    @Test
    void aBatchSizeBelowOneIsRefused() {
        assertThatThrownBy(() -> new Coalescer<Integer, Integer>("none", 0, items -> items))
                .hasMessageContaining("maxBatch must be at least 1");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
