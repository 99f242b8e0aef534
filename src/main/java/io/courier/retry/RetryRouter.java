package io.courier.retry;

import io.courier.job.JobRef;
import io.courier.job.TopicInitializer;
import io.courier.job.TopicsConfig;
import io.courier.platform.Outputs;
import io.courier.platform.RecordLimit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

/**
 * Sends a job to wait in the delayed-retry tier that fits its delay: the largest tier not longer than the
 * delay, so no record waits past its due time; a longer delay hops through tiers. Delays live in topics,
 * never in a sleeping consumer thread.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // its counters at 0 before the first retry (rate() needs two samples)
public class RetryRouter {

    private static final Logger LOG = Logger.getLogger(RetryRouter.class);

    private final MeterRegistry metrics;
    private final RecordLimit limit;
    private final List<Duration> tiers;
    private final String prefix;

    private final TopicsConfig topics;
    private final Admin admin;
    private volatile boolean topicsReady;

    RetryRouter(RetryConfig config, TopicsConfig topics, Admin admin, MeterRegistry metrics, RecordLimit limit) {
        this.metrics = metrics;
        this.limit = limit;
        this.tiers = config.tiers().stream().sorted().toList();
        this.prefix = config.topicPrefix();
        this.topics = topics;
        this.admin = admin;
        // Each class whose policy retries, in each tier, at 0 from the start: a series born at its first increment
        // loses that increment to rate().
        for (ErrorClass c : ErrorClass.values()) {
            RetryConfig.Action action = config.policyFor(c).action(); // RetryPolicy checked at start that it is set
            if (action == RetryConfig.Action.RETRY || action == RetryConfig.Action.REFRESH_AND_RETRY) {
                tierTopics().forEach(t -> retries(c, t));
            }
        }
    }

    private Counter retries(ErrorClass errorClass, String tierTopic) {
        return Counter.builder("courier.retries")
                .description("Jobs sent to a delayed-retry tier, by error class and tier")
                .tag("class", errorClass.name()).tag("tier", tierTopic.substring(prefix.length())).register(metrics);
    }

    /** Creates the missing tier topics (when allowed), once; called as the poll loops start, like TopicInitializer. */
    public synchronized void ensureTopics() throws InterruptedException {
        if (topicsReady || !topics.createMissing()) {
            return;
        }
        Map<String, Integer> wanted = new LinkedHashMap<>();
        tierTopics().forEach(t -> wanted.put(t, topics.otherPartitions()));
        TopicInitializer.createMissing(admin, wanted, topics.replicationFactor());
        topicsReady = true;
    }

    /** Where a polled record is in its life of retries (tier topics told by courier.retry.topic-prefix). */
    public RetryState stateOf(ConsumerRecord<?, ?> record) {
        return RetryState.of(record, prefix);
    }

    /** The same for a record kept since it was read (a parked job). */
    public RetryState stateOf(DeadLetterWriter.Original kept) {
        return RetryState.of(kept.topic(), kept.partition(), kept.offset(), kept.headers(), prefix);
    }

    public List<String> tierTopics() {
        return tiers.stream().map(this::topicOf).toList();
    }

    /** The tier's own delay, from its topic name. */
    public Duration tierDelay(String topic) {
        return tiers.stream().filter(t -> topicOf(t).equals(topic)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a retry tier topic: " + topic));
    }

    /** Largest tier not longer than the delay (the shortest tier for shorter delays). */
    Duration tierFor(Duration delay) {
        Duration chosen = tiers.get(0);
        for (Duration t : tiers) {
            if (t.compareTo(delay) <= 0) {
                chosen = t;
            }
        }
        return chosen;
    }

    public void retryLater(Outputs outputs, ConsumerRecord<String, byte[]> record, JobRef job, Failure failure,
            RetryState state, Instant failedAt, Instant dueAt) {
        Headers headers = CourierHeaders.retry(record.headers(), job, failure, state, failedAt, dueAt);
        String topic = send(outputs, record, headers, Duration.between(failedAt, dueAt));
        retries(failure.errorClass(), topic).increment();
        LOG.infof("job delayed errorClass=%s attempts=%d dueAt=%s tier=%s jobId=%s", failure.errorClass(),
                state.attempts(), dueAt, topic, job.jobId().orElse("-"));
    }

    /** A job not to run before {@code notBefore} waits in the tiers until then (a long wait hops, tier by tier). */
    public void schedule(Outputs outputs, ConsumerRecord<String, byte[]> record, JobRef job, RetryState state,
            Instant now, Instant notBefore) {
        String topic = send(outputs, record, CourierHeaders.scheduled(record.headers(), job, state, notBefore),
                Duration.between(now, notBefore));
        LOG.infof("job waits for its notBefore dueAt=%s tier=%s jobId=%s", notBefore, topic, job.jobId().orElse("-"));
    }

    /** The job's account or type is paused: it waits in the tiers and looks again at {@code recheck}. */
    public void pause(Outputs outputs, ConsumerRecord<String, byte[]> record, JobRef job, RetryState state,
            Instant now, Instant recheck) {
        String topic = send(outputs, record, CourierHeaders.scheduled(record.headers(), job, state, recheck),
                Duration.between(now, recheck));
        LOG.debugf("job waits, its account or type is paused dueAt=%s tier=%s jobId=%s", recheck, topic,
                job.jobId().orElse("-"));
    }

    /** An earlier job of the account is first in line: this one waits in the tiers behind it (no failure). */
    public void holdBehind(Outputs outputs, ConsumerRecord<String, byte[]> record, JobRef job, RetryState state,
            Instant now, Instant wake, String aheadJobId, boolean first) {
        String topic = send(outputs, record, CourierHeaders.scheduled(record.headers(), job, state, wake),
                Duration.between(now, wake));
        // Logged once; the looks again while it waits (every 250 ms while the job ahead runs) only at DEBUG.
        LOG.logf(first ? Logger.Level.INFO : Logger.Level.DEBUG,
                "job waits behind the account's job %s dueAt=%s tier=%s jobId=%s", aheadJobId, wake, topic,
                job.jobId().orElse("-"));
    }

    /** A record woke in a tier before its due time (its delay is longer than the tier): on to the next wait. */
    public void hop(Outputs outputs, ConsumerRecord<String, byte[]> record, Instant now, Instant dueAt) {
        send(outputs, record, record.headers(), Duration.between(now, dueAt));
    }

    /**
     * A tier record is the job's original bytes: it cannot be cut. A valid job always fits (start-up checks that
     * courier.worker.max-record-bytes leaves RecordLimit.COURIER_HEADER_ROOM); one that does not, through a huge key
     * or producer headers, is refused by the limit and its run fails with the bounded infrastructure budget.
     */
    private String send(Outputs outputs, ConsumerRecord<String, byte[]> record, Headers headers, Duration delay) {
        String topic = topicOf(tierFor(delay));
        limit.add(outputs, new ProducerRecord<>(topic, null, record.key(), record.value(), headers));
        return topic;
    }

    private String topicOf(Duration tier) {
        return prefix + name(tier);
    }

    /** 1s, 10s, 1m, 10m, 1h: the tier names of CONTRACT §3. */
    static String name(Duration d) {
        long s = d.toSeconds();
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
