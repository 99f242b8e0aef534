package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Key order: a key's tasks one after another in submission order, other keys alongside, at most the limit at once. */
class KeyOrderedExecutorTest {

    private static final long WAIT_SECONDS = 30; // generous: other builds share the machine; only a hang reaches it

    @ParameterizedTest(name = "{0} keys x {1} tasks, concurrency {2}: each key in order, never two of a key at once")
    @CsvSource({"1, 500, 8", "8, 200, 4", "50, 20, 16", "8, 100, 1"})
    void runsEachKeysTasksInSubmissionOrderOneAtATime(int keys, int tasksPerKey, int concurrency) throws Exception {
        Map<String, List<Integer>> ran = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(keys * tasksPerKey);
        try (KeyOrderedExecutor executor = new KeyOrderedExecutor(concurrency)) {
            for (int i = 0; i < tasksPerKey; i++) {
                for (int k = 0; k < keys; k++) {
                    String key = "account-" + k;
                    int seq = i;
                    executor.submit(key, () -> {
                        if (inFlight.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        ran.computeIfAbsent(key, x -> Collections.synchronizedList(new ArrayList<>())).add(seq);
                        Thread.yield(); // give a wrongly started second task of this key its chance to overlap
                        inFlight.get(key).decrementAndGet();
                        done.countDown();
                    });
                }
            }
            assertThat(done.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(overlaps).as("two tasks of one key ran at once").hasValue(0);
        assertThat(ran).hasSize(keys);
        List<Integer> expected = IntStream.range(0, tasksPerKey).boxed().toList();
        ran.forEach((key, order) -> assertThat(order).as(key).containsExactlyElementsOf(expected));
    }

    @Test
    void aSlowKeyDoesNotHoldBackAnother() throws Exception {
        CountDownLatch otherRan = new CountDownLatch(1);
        CountDownLatch slowEnded = new CountDownLatch(1);
        try (KeyOrderedExecutor executor = new KeyOrderedExecutor(2)) {
            executor.submit("slow", () -> {
                try {
                    // Ends only once the other key's task ran: a serial executor never gets there.
                    if (otherRan.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                        slowEnded.countDown();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            executor.submit("other", otherRan::countDown);
            assertThat(slowEnded.await(WAIT_SECONDS, TimeUnit.SECONDS))
                    .as("the other key ran while the slow one waited").isTrue();
        }
    }

    @Test
    void runsAtMostConcurrencyTasksAtOnce() throws Exception {
        int concurrency = 3;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(10);
        try (KeyOrderedExecutor executor = new KeyOrderedExecutor(concurrency)) {
            for (int k = 0; k < 10; k++) {
                executor.submit("account-" + k, () -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        gate.await(WAIT_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    running.decrementAndGet();
                    done.countDown();
                });
            }
            await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> running.get() >= concurrency);
            // Ten keys are ready to run: for a while, still no more than the limit may have started.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                    .until(() -> running.get() <= concurrency);
            gate.countDown();
            assertThat(done.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(most).hasValue(concurrency);
    }

    @Test
    void aTaskThatThrowsDoesNotStopItsKey() throws Exception {
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        try (KeyOrderedExecutor executor = new KeyOrderedExecutor(1)) {
            executor.submit("account", () -> {
                ran.add("first");
                throw new IllegalStateException("a bug in one job");
            });
            executor.submit("account", () -> {
                ran.add("second");
                done.countDown();
            });
            assertThat(done.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(ran).containsExactly("first", "second");
    }
}
