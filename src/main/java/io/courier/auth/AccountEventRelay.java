package io.courier.auth;

import io.courier.job.TopicsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Publishes the {@code auth_event} outbox to {@code linkedin.auth.events} in seq order, keyed by account, so each
 * account's events leave in the order they happened (CONTRACT §3). Every pod runs it, one at a time: a PostgreSQL
 * advisory lock, held for a batch's transaction, admits one relay. With {@code for update skip locked} instead, a
 * second pod skipped the rows the first was still sending and could publish an account's reauth-resolved before
 * its reauth-required. Skipping only the accounts whose earlier rows are locked would keep pods parallel, but
 * account events are few (a handful per account and episode) and one relay at a time is easy to reason about: a pod
 * that does not get the lock tries again at the next interval, and the lock ends with its holder's transaction (a
 * dead pod's connection closes with it). Rows are stamped only after Kafka acknowledged them, so a crash in between
 * repeats an event with the same CloudEvent id, never loses one; the producer is idempotent, so one batch keeps its
 * order within a partition.
 */
@ApplicationScoped
public class AccountEventRelay {

    private static final Logger LOG = Logger.getLogger(AccountEventRelay.class);
    private static final int BATCH = 200;
    private static final long ADVISORY_LOCK = 0x636f7572_65767400L; // "courevt"; ParkedJobReleaser holds "courpar"
    /** The scheduled job's name (Quarkus Scheduler), e.g. to pause it. */
    static final String IDENTITY = "account-event-relay";

    private final EntityManager em;
    private final KafkaProducer<String, byte[]> producer;
    private final TopicsConfig topics;
    private final Clock clock;
    private final MeterRegistry metrics;

    AccountEventRelay(EntityManager em, KafkaProducer<String, byte[]> producer, TopicsConfig topics, Clock clock,
                      MeterRegistry metrics) {
        this.em = em;
        this.producer = producer;
        this.topics = topics;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Scheduled(identity = IDENTITY, every = "${courier.tokens.relay-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void relay() {
        try {
            while (QuarkusTransaction.requiringNew().call(this::publishBatch) == BATCH) {
                // a full batch: more may be waiting
            }
        } catch (RuntimeException e) {
            LOG.warnf("account events not published yet, will retry cause=%s", e.getMessage());
        }
    }

    /** Publishes up to one batch of pending events, in the caller's transaction; returns how many. */
    private int publishBatch() {
        if (!(Boolean) em.createNativeQuery("select pg_try_advisory_xact_lock(?1)").setParameter(1, ADVISORY_LOCK)
                .getSingleResult()) {
            return 0; // another pod is relaying; it publishes these rows, in order
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        select seq, account_id, type, payload from auth_event where published_at is null
                        order by seq limit ?1""")
                .setParameter(1, BATCH).getResultList();
        if (rows.isEmpty()) {
            return 0;
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (Object[] row : rows) {
            sent.add(producer.send(new ProducerRecord<>(topics.authEvents(), (String) row[1],
                    ((String) row[3]).getBytes(StandardCharsets.UTF_8))));
        }
        try {
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing account events", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing account events failed: " + e.getCause().getMessage(), e);
        }
        List<Long> seqs = rows.stream().map(r -> ((Number) r[0]).longValue()).toList();
        em.createNativeQuery("update auth_event set published_at = ?1 where seq in (?2)")
                .setParameter(1, Timestamp.from(clock.instant()))
                .setParameter(2, seqs)
                .executeUpdate();
        for (Object[] row : rows) {
            metrics.counter("courier.account.events", "type", (String) row[2]).increment();
            LOG.infof("account event published type=%s accountId=%s", row[2], row[1]);
        }
        return rows.size();
    }
}
