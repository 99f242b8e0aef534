package io.courier.auth;

import io.courier.job.TopicsConfig;
import io.courier.platform.RowRelay;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Publishes the {@code auth_event} outbox to {@code linkedin.auth.events} in seq order, keyed by account, so each
 * account's events leave in the order they happened (CONTRACT §3). Every pod runs it, one at a time:
 * {@link RowRelay}'s PostgreSQL advisory lock, held for a batch's transaction, admits one relay. With
 * {@code for update skip locked} instead, a
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
    private final RowRelay relay;

    AccountEventRelay(EntityManager em, KafkaProducer<String, byte[]> producer, TopicsConfig topics, Clock clock,
            MeterRegistry metrics) {
        this.em = em;
        this.producer = producer;
        this.topics = topics;
        this.clock = clock;
        this.metrics = metrics;
        this.relay = new RowRelay(em, ADVISORY_LOCK, BATCH, "account events");
        for (AccountEvents.Type type : AccountEvents.Type.values()) {
            published(type.cloudEventType); // at 0 from the start, so that rate() counts the first one
        }
    }

    private Counter published(String type) {
        return Counter.builder("courier.account.events").description("Account events published, by type")
                .tag("type", type).register(metrics);
    }

    @Scheduled(identity = IDENTITY, every = "${courier.tokens.relay-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void relay() {
        try {
            relay.drain(this::pending, this::publish, this::markPublished);
        } catch (RuntimeException e) {
            LOG.warnf("account events not published yet, will retry cause=%s", e.getMessage());
        }
    }

    /** One auth_event row waiting to be published. */
    private record Pending(long seq, String accountId, String type, String payload) {}

    @SuppressWarnings("unchecked")
    private List<Pending> pending(int limit) {
        List<Object[]> rows = em.createNativeQuery("""
                        select seq, account_id, type, payload from auth_event where published_at is null
                        order by seq limit ?1""")
                .setParameter(1, limit).getResultList();
        return rows.stream().map(r -> new Pending(((Number) r[0]).longValue(), (String) r[1], (String) r[2],
                (String) r[3])).toList();
    }

    private List<Future<RecordMetadata>> publish(List<Pending> rows) {
        return rows.stream().map(row -> producer.send(new ProducerRecord<>(topics.authEvents(), row.accountId(),
                row.payload().getBytes(StandardCharsets.UTF_8)))).toList();
    }

    private void markPublished(List<Pending> rows) {
        em.createNativeQuery("update auth_event set published_at = ?1 where seq in (?2)")
                .setParameter(1, Timestamp.from(clock.instant()))
                .setParameter(2, rows.stream().map(Pending::seq).toList())
                .executeUpdate();
        for (Pending row : rows) {
            published(row.type()).increment();
            LOG.infof("account event published type=%s accountId=%s", row.type(), row.accountId());
        }
    }
}
