package io.courier.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.job.TopicsConfig;
import io.courier.testkit.AccountFixtures;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Account events leave the outbox in the order they happened, per account, however many pods relay them. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class AccountEventRelayTest extends PipelineTestSupport {

    @Inject
    EntityManager em;
    @Inject
    AccountEvents events;
    @Inject
    KafkaProducer<String, byte[]> producer;
    @Inject
    TopicsConfig topics;
    @Inject
    Clock clock;
    @Inject
    MeterRegistry metrics;
    @Inject
    Scheduler scheduler;

    @Test
    void aSecondRelayDoesNotPublishAnAccountsLaterEventWhileTheFirstStillHoldsAnEarlierOne() throws Exception {
        String account = "relay-order-" + UUID.randomUUID();
        scheduler.pause(AccountEventRelay.IDENTITY); // this test plays both pods' relays itself
        // A scheduled run already going when the pause came would publish the event below before the first relay
        // sees it (CI saw "the first relay took reauth-required" fail): let it end first (it runs every 200 ms).
        Thread.sleep(1000);
        try (GatedProducer gated = new GatedProducer(bootstrap, account)) {
            String required = add(account, AccountEvents.Type.REAUTH_REQUIRED);
            AccountEventRelay first = new AccountEventRelay(em, gated, topics, clock, metrics);
            AccountEventRelay second = new AccountEventRelay(em, producer, topics, clock, metrics);

            // Pod 1 has read reauth-required and is sending it; meanwhile the account is re-authorized.
            CompletableFuture<Void> firstRun = CompletableFuture.runAsync(first::relay);
            assertThat(gated.entered.await(20, TimeUnit.SECONDS)).as("the first relay took reauth-required").isTrue();
            String resolved = add(account, AccountEvents.Type.REAUTH_RESOLVED);
            second.relay(); // pod 2's turn comes while pod 1 is still sending

            gated.release.countDown();
            firstRun.get(20, TimeUnit.SECONDS);
            second.relay();

            List<JsonNode> published = AccountFixtures.events(kafka, account);
            assertThat(published).extracting(e -> e.get("id").asText()).containsExactly(required, resolved);
        } finally {
            scheduler.resume(AccountEventRelay.IDENTITY);
        }
    }

    /** Adds an event as a state change would, committed; returns its CloudEvent id. */
    private String add(String account, AccountEvents.Type type) {
        QuarkusTransaction.requiringNew().run(() -> events.add(type, new AccountEvents.Data(account, "test",
                Optional.empty(), Optional.empty(), Optional.of(0L)), Optional.empty()));
        return QuarkusTransaction.requiringNew().call(() -> (String) em.createNativeQuery(
                "select event_id from auth_event where account_id = ?1 and type = ?2")
                .setParameter(1, account).setParameter(2, type.cloudEventType).getSingleResult());
    }

    /** A real producer that holds the account's record until released: a relay caught in the middle of its send. */
    static final class GatedProducer extends KafkaProducer<String, byte[]> {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final String heldKey;

        GatedProducer(String bootstrap, String heldKey) {
            super(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), new ByteArraySerializer());
            this.heldKey = heldKey;
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
            if (heldKey.equals(record.key())) {
                entered.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS); // ends: released by the test, or after 30 s
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.send(record);
        }

        @Override
        public void close() {
            super.close(Duration.ofSeconds(5));
        }
    }
}
