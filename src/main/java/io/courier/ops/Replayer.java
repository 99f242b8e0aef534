package io.courier.ops;

import io.courier.job.JobType;
import io.courier.job.LinkedInOperation;
import io.courier.job.TopicsConfig;
import io.courier.platform.OutputTooLargeException;
import io.courier.platform.RecordLimit;
import io.courier.quota.QuotaConfig;
import io.courier.quota.QuotaLimiter;
import io.courier.retry.CourierHeaders;
import io.courier.tracing.JobTracing;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Replays dead letters safely: the original bytes back to the original topic, marked with
 * {@code courier-replay-count}; paced (courier.dead-letters.replay-rate); never more than a share of the remaining
 * daily budget of each resource the jobs will call (courier.dead-letters.replay-budget-share); a job replayed
 * courier.dead-letters.max-replays times already is refused unless forced. A dry run reports all that and changes
 * nothing. Every call is audited (AuditTrail) before it acts, in the name of the token that asked.
 */
@ApplicationScoped
public class Replayer {

    private static final Logger LOG = Logger.getLogger(Replayer.class);

    private final DeadLetterStore store;
    private final AuditTrail audit;
    private final KafkaProducer<String, byte[]> producer;
    private final QuotaLimiter limiter;
    private final QuotaConfig quota;
    private final DeadLetterConfig config;
    private final TopicsConfig topics;
    private final RecordLimit limit;
    private final JobTracing tracing;

    Replayer(DeadLetterStore store, AuditTrail audit, KafkaProducer<String, byte[]> producer, QuotaLimiter limiter,
            QuotaConfig quota, DeadLetterConfig config, TopicsConfig topics, RecordLimit limit, JobTracing tracing) {
        this.store = store;
        this.tracing = tracing;
        this.audit = audit;
        this.limit = limit;
        this.topics = topics;
        this.producer = producer;
        this.limiter = limiter;
        this.quota = quota;
        this.config = config;
    }

    public ReplayReport replay(DeadLetterFilter filter, int limit, boolean dryRun, boolean force, Requester by) {
        ReplayReport report = audit.record(by, AuditTrail.Action.REPLAY, filter, dryRun,
                () -> replayNow(filter, limit, dryRun, force));
        LOG.infof("dead letters %s operator=%s filter=%s matched=%d replayed=%d refused=%d deferred=%d notSent=%d",
                dryRun ? "replay dry run" : "replayed", by.name(), filter.describe(), report.matched(),
                report.replayed(),
                report.refusedLoopGuard().size(), report.deferredForBudget().size(), report.notSent().size());
        return report;
    }

    public ReplayReport discard(DeadLetterFilter filter, int limit, Requester by) {
        ReplayReport report = audit.record(by, AuditTrail.Action.DISCARD, filter, false,
                () -> discardNow(filter, limit));
        LOG.infof("dead letters discarded operator=%s filter=%s count=%d", by.name(), filter.describe(),
                report.discarded());
        return report;
    }

    private ReplayReport replayNow(DeadLetterFilter filter, int limit, boolean dryRun, boolean force) {
        List<StoredDeadLetter> matched = store.oldestFirst(filter.inState(DeadLetterState.NEW), limit);
        Map<LinkedInOperation, Integer> needed = new LinkedHashMap<>();
        Map<LinkedInOperation, Long> allowed = new LinkedHashMap<>();
        Map<String, ReplayReport.Budget> budget = new LinkedHashMap<>();
        List<StoredDeadLetter> go = new ArrayList<>();
        List<Long> refused = new ArrayList<>();
        List<Long> deferred = new ArrayList<>();
        for (StoredDeadLetter d : matched) {
            if (d.replayCount() >= config.maxReplays() && !force) {
                refused.add(d.id());
                continue;
            }
            // One call per job: an estimate, paged sync jobs may need more.
            Optional<LinkedInOperation> resource = d.jobType().flatMap(JobType::fromWireName)
                    .map(LinkedInOperation::calledBy);
            if (resource.isPresent()) {
                LinkedInOperation r = resource.get();
                long mayTake = allowed.computeIfAbsent(r, this::allowance);
                int soFar = needed.merge(r, 1, Integer::sum);
                if (soFar > mayTake) {
                    deferred.add(d.id());
                    continue;
                }
            }
            go.add(d);
        }
        needed.forEach((r, n) -> budget.put(r.endpoint, new ReplayReport.Budget(n,
                limiter.appRemaining(r).orElse(null), allowed.get(r) == Long.MAX_VALUE ? null : allowed.get(r))));

        List<Long> replayed = new ArrayList<>();
        List<ReplayReport.NotSent> notSent = new ArrayList<>();
        if (!dryRun) {
            long pauseNanos = (long) (1e9 / config.replayRate());
            long next = System.nanoTime();
            for (StoredDeadLetter d : go) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    sleep(wait);
                }
                next = Math.max(next, System.nanoTime()) + pauseNanos;
                Optional<String> why = send(d);
                if (why.isPresent()) {
                    notSent.add(new ReplayReport.NotSent(d.id(), why.get()));
                } else if (store.mark(d.id(), DeadLetterState.REPLAYED)) { // oldestFirst read the records already
                    replayed.add(d.id());
                }
            }
        }
        return new ReplayReport(dryRun, matched.size(), replayed.size(), 0,
                dryRun ? go.stream().map(StoredDeadLetter::id).toList() : replayed, refused, deferred, notSent, budget);
    }

    private ReplayReport discardNow(DeadLetterFilter filter, int limit) {
        List<StoredDeadLetter> matched = store.oldestFirst(filter.inState(DeadLetterState.NEW), limit);
        List<Long> discarded = new ArrayList<>();
        for (StoredDeadLetter d : matched) {
            if (store.mark(d.id(), DeadLetterState.DISCARDED)) {
                discarded.add(d.id());
            }
        }
        return new ReplayReport(false, matched.size(), 0, discarded.size(), discarded, List.of(), List.of(),
                List.of(), Map.of());
    }

    /**
     * The original record, unchanged, with its replay count raised, to its job topic. Waits for Kafka's
     * acknowledgement. Empty when sent; otherwise why it was not (it is left NEW): no job topic can be named for it,
     * or it is too large for Kafka or refused for itself, checked per row (RecordLimit) so that one such dead letter
     * never stops the others of its replay. Any other failure (Kafka unreachable) ends the replay.
     */
    private Optional<String> send(StoredDeadLetter d) {
        Optional<String> topic = jobTopicOf(d);
        if (topic.isEmpty()) {
            return notSent(d,
                    "its original topic " + d.originalTopic() + " is not a job topic and its type is unknown");
        }
        StoredDeadLetter.Record record = d.record().orElseThrow();
        ProducerRecord<String, byte[]> replay = new ProducerRecord<>(topic.get(), null, record.key().orElse(null),
                record.value(), CourierHeaders.replay(record.headers(), d.replayCount()));
        tracing.replaying(replay); // a new trace, linked to the dead letter's
        if (!limit.fits(replay)) {
            return notSent(d,
                    new OutputTooLargeException(topic.get(), limit.sizeOf(replay), limit.maxBytes()).getMessage());
        }
        try {
            producer.send(replay).get();
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return notSent(d, "interrupted");
        } catch (ExecutionException e) {
            if (RecordLimit.refusedForItself(e.getCause())) {
                return notSent(d, "Kafka refused it: " + e.getCause().getMessage());
            }
            throw new IllegalStateException("replaying dead letter " + d.id() + " failed: " + e.getCause().getMessage(),
                    e);
        }
    }

    private static Optional<String> notSent(StoredDeadLetter d, String reason) {
        LOG.warnf("dead letter not replayed id=%d reason=%s", d.id(), reason);
        return Optional.of(reason);
    }

    /**
     * Where a replay may write: only a job topic. The index's original topic is what Courier wrote in the dead
     * letter (never a producer's header: RetryState ignores those on job topics), but a replay must not write to any
     * other topic even for a row indexed before that rule or a record put on the DLQ by hand: then the job's type
     * names the topic.
     */
    private Optional<String> jobTopicOf(StoredDeadLetter d) {
        return topics.jobTopic(d.originalTopic(), d.jobType().flatMap(JobType::fromWireName));
    }

    /** How many calls of a resource a replay may make now: a share of what is left of the app's budget. */
    private long allowance(LinkedInOperation resource) {
        if (!quota.enabled()) {
            return Long.MAX_VALUE;
        }
        return limiter.appRemaining(resource).map(left -> (long) Math.floor(left * config.replayBudgetShare()))
                .orElse(0L);
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
