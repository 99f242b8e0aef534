package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.platform.KafkaClients;
import io.courier.platform.Outputs;
import io.courier.platform.RunningJob;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.courier.testkit.TestClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A poll loop that goes round while its jobs do not move is a pod that looks live and does nothing: a job that never
 * returns holds its partition (nothing commits past it) and, with backpressure, the whole loop. Liveness must see it,
 * and must not see a long job that keeps reporting progress (a sync reading many pages). Real broker, own topic.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class PollLoopLivenessTest extends PipelineTestSupport {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final CountDownLatch LAST_PAGE = new CountDownLatch(0);

    @Inject
    KafkaClients clients;
    @Inject
    WorkerConfig config;
    @Inject
    MeterRegistry metrics;
    /** The loop under test reads this clock: the test moves it past the timeout instead of waiting. */
    private final TestClock clock = TestClock.system();

    @Test
    void aJobThatNeverReturnsTurnsLivenessDownThoughTheLoopGoesRound() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        runLoop(record -> block(release), loop -> {
            clock.advance(TIMEOUT.multipliedBy(2));
            awaitRound(loop);
            Instant now = clock.instant();
            assertThat(Duration.between(loop.heartbeat(), now)).isLessThan(TIMEOUT); // the poll thread is fine
            assertThat(live(loop)).isFalse();
            release.countDown();
            await().atMost(Duration.ofSeconds(1)).until(() -> live(loop)); // the job ended: nothing held, live again
        });
    }

    @Test
    void aLongJobThatReportsProgressStaysLive() throws Exception {
        // Each step moves the clock by half the timeout, then the job reports a "page" as a LinkedIn call would: ten
        // steps are five timeouts, live throughout only because of the reports.
        Duration step = TIMEOUT.dividedBy(2);
        SynchronousQueue<CountDownLatch> pages = new SynchronousQueue<>();
        runLoop(record -> {
            try {
                CountDownLatch reported;
                // What ends it: the test's last page, or 30 s without one (the loop's drain interrupts it sooner).
                while ((reported = pages.poll(30, TimeUnit.SECONDS)) != null && reported != LAST_PAGE) {
                    RunningJob.reportProgress();
                    reported.countDown();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, loop -> {
            for (int i = 0; i < 10; i++) {
                clock.advance(step);
                awaitRound(loop);
                assertThat(live(loop)).as("step %d, before its page", i).isTrue();
                CountDownLatch reported = new CountDownLatch(1);
                offer(pages, reported);
                assertThat(awaitLatch(reported)).isTrue();
                assertThat(live(loop)).as("step %d, after its page", i).isTrue();
            }
            offer(pages, LAST_PAGE);
        });
    }

    /** Waits until the poll thread has gone round since now, so its heartbeat has seen the clock's last move. */
    private void awaitRound(PollLoop loop) {
        Instant since = clock.instant();
        await().atMost(Duration.ofSeconds(10)).until(() -> !loop.heartbeat().isBefore(since));
    }

    private boolean live(PollLoop loop) {
        Instant now = clock.instant();
        return PollLoopLiveness.live(Duration.between(loop.heartbeat(), now), Duration.between(loop.progress(), now),
                TIMEOUT);
    }

    /** Starts a loop on a fresh topic with this handler, sends it one record, waits until the record runs. */
    private void runLoop(Consumer<ConsumerRecord<String, byte[]>> job, Consumer<PollLoop> check) throws Exception {
        String topic = "courier.test.liveness." + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        CountDownLatch started = new CountDownLatch(1);
        PollLoop.RecordHandler handler = new PollLoop.RecordHandler() {
            @Override
            public void handle(ConsumerRecord<String, byte[]> record, Outputs outputs) {
                started.countDown();
                job.accept(record);
            }

            @Override
            public void giveUp(ConsumerRecord<String, byte[]> record, Outputs outputs, RuntimeException cause,
                    int tries) {}
        };
        try (KeyOrderedExecutor executor = new KeyOrderedExecutor(4)) {
            PollLoop loop = new PollLoop("liveness-test", () -> {}, () -> clients.newJobConsumer("liveness-test",
                    "-" + topic), () -> clients.newTransactionalProducer("liveness-test"), List.of(topic), executor,
                    config, handler, record -> Optional.empty(), clock, metrics);
            loop.start();
            try {
                kafka.send(topic, "acct", "{}");
                assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
                check.accept(loop);
            } finally {
                loop.beginStop();
                loop.awaitStop(clock.instant().plus(config.drainTimeout()).plusSeconds(5));
            }
        }
    }

    private static void block(CountDownLatch latch) {
        try {
            latch.await(); // what ends it: the test releases it (or the loop's drain interrupts it)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void offer(SynchronousQueue<CountDownLatch> pages, CountDownLatch page) {
        try {
            assertThat(pages.offer(page, 10, TimeUnit.SECONDS)).as("the job takes its next page").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static boolean awaitLatch(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
