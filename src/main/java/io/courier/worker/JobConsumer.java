package io.courier.worker;

import io.courier.job.TopicInitializer;
import io.courier.job.TopicsConfig;
import io.courier.platform.KafkaClients;
import io.courier.platform.Outputs;
import io.courier.retry.CourierHeaders;
import io.courier.retry.RetryRouter;
import io.courier.tracing.JobTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Runs Courier's two poll loops on one key-ordered executor: the job topics, and the delayed-retry tiers.
 *
 * <p>Not SmallRye Reactive Messaging's Kafka connector: its concurrency unit is the partition, so one slow
 * account holds back every account hashed to the same partition, and its commit strategies cannot express
 * "commit after this job's outcome is written, out of order across accounts". Plain Kafka clients can.
 *
 * <p>A due retry runs in the tier consumer itself rather than going back to its original topic: the job does
 * not queue again behind fresh work, and the original topic stays free of replays.
 */
@ApplicationScoped
public class JobConsumer {

    private static final Logger LOG = Logger.getLogger(JobConsumer.class);

    private final KafkaClients clients;
    private final TopicsConfig topics;
    private final WorkerConfig config;
    private final JobRunner runner;
    private final RetryRouter router;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final TopicInitializer topicsReady;
    private final JobTracing tracing;
    private KeyOrderedExecutor executor;
    private PollLoop jobs;
    private PollLoop retries;

    JobConsumer(KafkaClients clients, TopicsConfig topics, WorkerConfig config, JobRunner runner, RetryRouter router,
            Clock clock, MeterRegistry metrics, TopicInitializer topicsReady, JobTracing tracing) {
        this.topicsReady = topicsReady;
        this.tracing = tracing;
        this.metrics = metrics;
        this.clients = clients;
        this.topics = topics;
        this.config = config;
        this.runner = runner;
        this.router = router;
        this.clock = clock;
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("job consumers disabled (courier.worker.enabled=false)");
            return;
        }
        executor = new KeyOrderedExecutor(config.concurrency());
        jobs = new PollLoop("jobs", this::ensureTopics, () -> clients.newJobConsumer("courier-jobs", ""),
                () -> clients.newTransactionalProducer("jobs"), List.of(topics.post(), topics.sync()),
                executor, config, handler(clients.groupId(""), runner::run), record -> Optional.empty(), clock,
                metrics);
        retries = new PollLoop("retries", this::ensureTopics,
                () -> clients.newJobConsumer("courier-retries", "-retries"),
                () -> clients.newTransactionalProducer("retries"), router.tierTopics(),
                executor, config, handler(clients.groupId("-retries"), this::runDue), this::wakeAt, clock, metrics);
        jobs.start();
        retries.start();
    }

    /** Each run of a record, and its giving up, is a span of the job's trace (JobTracing). */
    private PollLoop.RecordHandler handler(String group,
            java.util.function.BiConsumer<ConsumerRecord<String, byte[]>, Outputs> run) {
        return new PollLoop.RecordHandler() {
            @Override
            public void handle(ConsumerRecord<String, byte[]> record, Outputs outputs) {
                tracing.run(record, group, outputs, traced -> run.accept(record, traced));
            }

            @Override
            public void giveUp(ConsumerRecord<String, byte[]> record, Outputs outputs, RuntimeException cause,
                    int tries) {
                tracing.run(record, group, outputs, traced -> runner.giveUp(record, traced, cause, tries));
            }
        };
    }

    /** The topics must exist before a consumer subscribes; while Kafka does not answer this throws and is retried. */
    private void ensureTopics() {
        try {
            topicsReady.ensure();
            router.ensureTopics();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** The poll loops, for liveness. */
    List<PollLoop> loops() {
        return jobs == null ? List.of() : List.of(jobs, retries);
    }

    /** Both loops drain at once, so shutdown takes one drain timeout, not one per loop (grace period, k8s/). */
    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (jobs == null) {
            return;
        }
        Instant deadline = clock.instant().plus(config.drainTimeout()).plusSeconds(5);
        jobs.beginStop();
        retries.beginStop();
        jobs.awaitStop(deadline);
        retries.awaitStop(deadline);
        executor.close();
    }

    /** A tier record wakes at its due time, or when its tier's delay has passed if that comes first (then it hops). */
    private Optional<Instant> wakeAt(ConsumerRecord<String, byte[]> record) {
        Instant tierEnd = Instant.ofEpochMilli(record.timestamp()).plus(router.tierDelay(record.topic()));
        Instant due = dueAt(record);
        return Optional.of(due.isBefore(tierEnd) ? due : tierEnd);
    }

    private void runDue(ConsumerRecord<String, byte[]> record, Outputs outputs) {
        Instant now = clock.instant();
        Instant due = dueAt(record);
        if (due.isAfter(now)) {
            router.hop(outputs, record, now, due);
        } else {
            runner.run(record, outputs);
        }
    }

    private static Instant dueAt(ConsumerRecord<String, byte[]> record) {
        return CourierHeaders.dueAt(record.headers()).orElse(Instant.EPOCH); // malformed: due now, never a throw
    }
}
