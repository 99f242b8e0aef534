package io.courier.worker;

import io.courier.auth.AccountAccess;
import io.courier.auth.TokenLifecycleConfig;
import io.courier.job.JobRef;
import io.courier.job.JobType;
import io.courier.job.TopicsConfig;
import io.courier.platform.OutputTooLargeException;
import io.courier.platform.RecordLimit;
import io.courier.platform.RowRelay;
import io.courier.platform.StoredHeaders;
import io.courier.retry.CourierHeaders;
import io.courier.retry.DeadLetterWriter;
import io.courier.retry.ErrorClass;
import io.courier.retry.Failure;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

/**
 * Sends parked jobs back once their account is connected again (in the order they were parked), and moves jobs
 * parked longer than courier.tokens.max-park to the dead-letter topic as REAUTH_REQUIRED. Every pod runs it;
 * {@link RowRelay}'s PostgreSQL advisory lock lets one pod at a time do it, which keeps each account's jobs in order.
 * Rows are deleted only after Kafka acknowledged the records: a crash in between sends a job twice, and the job's
 * idempotency record makes the second run re-emit the first's result.
 */
@ApplicationScoped
class ParkedJobReleaser {

    private static final Logger LOG = Logger.getLogger(ParkedJobReleaser.class);
    private static final long ADVISORY_LOCK = 0x636f7572_70617200L; // "courpar"
    private static final int BATCH = 500;

    private final EntityManager em;
    private final KafkaProducer<String, byte[]> producer;
    private final JobOutcomes outcomes;
    private final Clock clock;
    private final Duration maxPark;
    private final TopicsConfig topics;
    private final RecordLimit limit;
    private final RowRelay relay;
    private final StoredHeaders storedHeaders;

    ParkedJobReleaser(EntityManager em, KafkaProducer<String, byte[]> producer, JobOutcomes outcomes, Clock clock,
            TokenLifecycleConfig config, TopicsConfig topics, RecordLimit limit,
            StoredHeaders storedHeaders) {
        this.em = em;
        this.storedHeaders = storedHeaders;
        this.limit = limit;
        this.topics = topics;
        this.producer = producer;
        this.outcomes = outcomes;
        this.clock = clock;
        this.maxPark = config.maxPark();
        this.relay = new RowRelay(em, ADVISORY_LOCK, BATCH, "parked jobs");
    }

    @Scheduled(every = "${courier.tokens.relay-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void run() {
        try {
            relay.drain(this::reconnected, this::release, this::released);
            relay.drain(this::expired, this::expire, this::expiredOut);
        } catch (RuntimeException e) {
            LOG.warnf("parked jobs not moved yet, will retry cause=%s", e.getMessage());
        }
    }

    /** Jobs of accounts that are connected again, in the order they were parked. */
    private List<Parked> reconnected(int limit) {
        return rows("from parked_job p where p.account_id in (" + AccountAccess.CONNECTED_IDS
                + ") order by p.seq limit ?1", limit);
    }

    /**
     * Sends the jobs back to their job topic; returns the sends still to wait for. A job that cannot go back (too
     * large for Kafka, or refused for itself) is dead-lettered on its own with the reason, as INTERNAL; only an error
     * that is not the record's (Kafka unreachable) fails the batch, to be tried again.
     */
    private List<Future<RecordMetadata>> release(List<Parked> rows) {
        Map<Parked, Future<RecordMetadata>> sent = new LinkedHashMap<>();
        List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();
        for (Parked row : rows) {
            ProducerRecord<String, byte[]> release = new ProducerRecord<>(jobTopic(row), null, row.key(), row.value(),
                    headers(row.headers(), true));
            if (limit.fits(release)) {
                sent.put(row, producer.send(release));
            } else {
                notReleased(deadLetters, row, new OutputTooLargeException(release.topic(), limit.sizeOf(release),
                        limit.maxBytes()).getMessage());
            }
        }
        sent.forEach((row, future) -> {
            Optional<Throwable> refused = refusedForItself(future);
            if (refused.isPresent()) {
                notReleased(deadLetters, row, "Kafka refused it: " + refused.get().getMessage());
            } else {
                LOG.infof("parked job released accountId=%s jobId=%s topic=%s", row.accountId(), row.jobId(),
                        jobTopic(row));
            }
        });
        return deadLetters.stream().map(producer::send).toList();
    }

    /** Empty when Kafka took the record; the error when it refused that record for itself; throws on anything else. */
    private static Optional<Throwable> refusedForItself(Future<RecordMetadata> future) {
        try {
            future.get();
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending parked jobs", e);
        } catch (ExecutionException e) {
            if (RecordLimit.refusedForItself(e.getCause())) {
                return Optional.of(e.getCause());
            }
            throw new IllegalStateException("sending parked jobs failed: " + e.getCause().getMessage(), e);
        }
    }

    private void notReleased(List<ProducerRecord<String, byte[]>> deadLetters, Parked row, String reason) {
        leaveLanes(List.of(row)); // in the batch's transaction: it ended, so the account's next job runs
        LOG.warnf("parked job not released, dead-lettered accountId=%s jobId=%s reason=%s", row.accountId(),
                row.jobId(), reason);
        deadLetter(deadLetters, row, Failure.of(ErrorClass.INTERNAL, "could not be sent back after re-authorization: "
                + reason));
    }

    /** Jobs parked for longer than courier.tokens.max-park, in the order they were parked. */
    private List<Parked> expired(int limit) {
        return rows("from parked_job p where p.parked_at < ?1 order by p.seq limit ?2",
                java.sql.Timestamp.from(clock.instant().minus(maxPark)), limit);
    }

    /** Sends the expired jobs' dead letters, with a DEAD_LETTERED result each. */
    private List<Future<RecordMetadata>> expire(List<Parked> rows) {
        List<ProducerRecord<String, byte[]>> outputs = new ArrayList<>();
        for (Parked row : rows) {
            deadLetter(outputs, row, Failure.of(ErrorClass.REAUTH_REQUIRED, "parked longer than " + maxPark
                    + " (courier.tokens.max-park) waiting for re-authorization: " + row.accountReason()));
        }
        return outputs.stream().map(producer::send).toList();
    }

    /**
     * A parked row's dead letter and DEAD_LETTERED result, into {@code outputs}; the writer keeps one too large for
     * Kafka whole in PostgreSQL.
     */
    private void deadLetter(List<ProducerRecord<String, byte[]>> outputs, Parked row, Failure failure) {
        DeadLetterWriter.Original original = DeadLetterWriter.Original.kept(row.sourceTopic(), row.sourcePartition(),
                row.sourceOffset(), row.key(), row.value(), headers(row.headers(), false));
        JobRef job = new JobRef(Optional.of(row.jobId()), Optional.of(row.jobType()), Optional.of(row.accountId()));
        outcomes.deadLetterKept(outputs::add, original, job, failure);
    }

    /**
     * A released job goes back to a job topic only. The target was taken from Courier's own retry state when the job
     * was parked (never from a producer's header); a row that names another topic (parked before that rule) goes to
     * its type's topic. The type was validated before parking; one this version no longer knows goes to the post
     * topic, where validation dead-letters it.
     */
    private String jobTopic(Parked row) {
        return topics.jobTopic(row.targetTopic(), JobType.fromWireName(row.jobType())).orElse(topics.post());
    }

    /**
     * A parked_job row, with the reason its account gives (when it has one). The record's columns in the order of
     * {@link #rows}' select list.
     */
    private record Parked(long seq, String accountId, String jobId, String jobType, String sourceTopic,
            int sourcePartition, long sourceOffset, String key, byte[] value, String headers,
            String targetTopic, String accountReason) {

        static Parked of(Object[] c) {
            return new Parked(((Number) c[0]).longValue(), (String) c[1], (String) c[2], (String) c[3],
                    (String) c[4], ((Number) c[5]).intValue(), ((Number) c[6]).longValue(), (String) c[7],
                    (byte[]) c[8], (String) c[9], (String) c[10], (String) c[11]);
        }
    }

    /** Parked rows ({@code p}) chosen by {@code from}, with their account's reason (auth's sub-select). */
    @SuppressWarnings("unchecked")
    private List<Parked> rows(String from, Object... parameters) {
        var query = em.createNativeQuery("""
                select p.seq, p.account_id, p.job_id, p.job_type, p.source_topic, p.source_partition, p.source_offset,
                    p.record_key, p.record_value, p.headers, p.target_topic,
                    coalesce(%s, 'not re-authorized')
                """.formatted(AccountAccess.statusReasonOf("p.account_id")) + from);
        for (int i = 0; i < parameters.length; i++) {
            query.setParameter(i + 1, parameters[i]);
        }
        return ((List<Object[]>) query.getResultList()).stream().map(Parked::of).toList();
    }

    /** Deletes rows whose records Kafka acknowledged (committed with the batch's transaction). */
    private void delete(List<Parked> rows) {
        em.createNativeQuery("delete from parked_job where seq in (?1)")
                .setParameter(1, rows.stream().map(Parked::seq).toList())
                .executeUpdate();
    }

    /**
     * Released: their places in their accounts' lanes (AccountLanes) now wait for the records to come back, due now
     * (one that could not be sent back was dead-lettered and left its lane already).
     */
    private void released(List<Parked> rows) {
        delete(rows);
        em.createNativeQuery("update account_lane set due_at = ?1 where (account_id, job_id) in (select"
                + " unnest(cast(?2 as text[])), unnest(cast(?3 as text[])))")
                .setParameter(1, java.sql.Timestamp.from(clock.instant()))
                .setParameter(2, rows.stream().map(Parked::accountId).toArray(String[]::new))
                .setParameter(3, rows.stream().map(Parked::jobId).toArray(String[]::new))
                .executeUpdate();
    }

    /** Dead-lettered after courier.tokens.max-park: they leave their lanes, so the accounts' next jobs run. */
    private void expiredOut(List<Parked> rows) {
        delete(rows);
        leaveLanes(rows);
    }

    private void leaveLanes(List<Parked> rows) {
        if (rows.isEmpty()) {
            return;
        }
        em.createNativeQuery("delete from account_lane where (account_id, job_id) in (select"
                + " unnest(cast(?1 as text[])), unnest(cast(?2 as text[])))")
                .setParameter(1, rows.stream().map(Parked::accountId).toArray(String[]::new))
                .setParameter(2, rows.stream().map(Parked::jobId).toArray(String[]::new))
                .executeUpdate();
    }

    /**
     * The parked record's headers. Released jobs start afresh: the retry state of their earlier runs (courier-*
     * headers other than the replay count and the trace's origin) is dropped, because the failure was the account's,
     * not the job's.
     */
    private Headers headers(String stored, boolean fresh) {
        Headers headers = storedHeaders.fromJson(stored);
        return fresh
                ? CourierHeaders.producerHeaders(headers, CourierHeaders.REPLAY_COUNT,
                        CourierHeaders.ORIGIN_TRACEPARENT)
                : headers;
    }
}
