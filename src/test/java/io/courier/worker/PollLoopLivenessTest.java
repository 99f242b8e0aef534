package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.platform.KafkaClients;
import io.courier.platform.Outputs;
import io.courier.platform.RunningJob;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
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

    @Inject
    KafkaClients clients;
    @Inject
    WorkerConfig config;
    @Inject
    MeterRegistry metrics;
    @Inject
    Clock clock;

    @Test
    void aJobThatNeverReturnsTurnsLivenessDownThoughTheLoopGoesRound() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        runLoop(record -> await(release), loop -> {
            sleep(TIMEOUT.multipliedBy(2));
            Instant now = clock.instant();
            assertThat(Duration.between(loop.heartbeat(), now)).isLessThan(TIMEOUT); // the poll thread is fine
            assertThat(live(loop)).isFalse();
            release.countDown();
            sleep(Duration.ofSeconds(1));
            assertThat(live(loop)).isTrue(); // the job ended: nothing held, live again
        });
    }

    @Test
    void aLongJobThatReportsProgressStaysLive() throws Exception {
        runLoop(record -> {
            for (int i = 0; i < 25; i++) { // 5 s of "pages", each reported as a LinkedIn call would be
                sleep(Duration.ofMillis(200));
                RunningJob.reportProgress();
            }
        }, loop -> {
            Instant end = clock.instant().plusSeconds(4);
            while (clock.instant().isBefore(end)) {
                assertThat(live(loop)).isTrue();
                sleep(Duration.ofMillis(250));
            }
        });
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
            public void giveUp(ConsumerRecord<String, byte[]> record, Outputs outputs, RuntimeException cause, int tries) {}
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

    private static void await(CountDownLatch latch) {
        try {
            latch.await(); // what ends it: the test releases it (or the loop's drain interrupts it)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
