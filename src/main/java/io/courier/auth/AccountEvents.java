package io.courier.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Account events (CONTRACT §3, CloudEvents 1.0 structured JSON) written to the {@code auth_event} outbox in the
 * caller's transaction, so an event exists exactly when the state change it reports committed.
 * {@link AccountEventRelay} publishes them to {@code linkedin.auth.events}.
 */
@ApplicationScoped
public class AccountEvents {

    public enum Type {
        REAUTH_REQUIRED("courier.account.reauth-required"), REAUTH_SOON("courier.account.reauth-soon"), REAUTH_RESOLVED(
                "courier.account.reauth-resolved"), PERMISSION_LOST("courier.account.permission-lost");

        public final String cloudEventType;

        Type(String cloudEventType) {
            this.cloudEventType = cloudEventType;
        }
    }

    /**
     * The event's data: CONTRACT §3 fields; absent ones are written as null. {@code organization}: the page of a
     * permission-lost event (only that event has the field).
     */
    public record Data(String accountId, String reason, Optional<String> linkedinError,
            Optional<Instant> refreshTokenExpiresAt, Optional<Long> parkedJobs, Optional<String> organization) {

        public Data(String accountId, String reason, Optional<String> linkedinError,
                Optional<Instant> refreshTokenExpiresAt, Optional<Long> parkedJobs) {
            this(accountId, reason, linkedinError, refreshTokenExpiresAt, parkedJobs, Optional.empty());
        }
    }

    private final EntityManager em;
    private final ObjectMapper json;
    private final Clock clock;

    AccountEvents(EntityManager em, ObjectMapper json, Clock clock) {
        this.em = em;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Adds an event to the outbox. With a dedupe key, a second event with the same key is not added (false):
     * that is how an event fires once across pods when no state change guards it.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean add(Type type, Data data, Optional<String> dedupeKey) {
        Instant now = clock.instant();
        String id = UUID.randomUUID().toString();
        return em.createNativeQuery("""
                        insert into auth_event (event_id, account_id, type, dedupe_key, payload, created_at)
                        values (?1, ?2, ?3, ?4, ?5, ?6) on conflict (dedupe_key) do nothing""")
                .setParameter(1, id)
                .setParameter(2, data.accountId())
                .setParameter(3, type.cloudEventType)
                .setParameter(4, dedupeKey.orElse(null))
                .setParameter(5, cloudEvent(id, type, data, now))
                .setParameter(6, Timestamp.from(now))
                .executeUpdate() == 1;
    }

    private String cloudEvent(String id, Type type, Data data, Instant now) {
        ObjectNode event = json.createObjectNode()
                .put("specversion", "1.0")
                .put("id", id)
                .put("source", "/courier")
                .put("type", type.cloudEventType)
                .put("subject", data.accountId())
                .put("time", now.toString())
                .put("datacontenttype", "application/json");
        ObjectNode body = event.putObject("data")
                .put("accountId", data.accountId())
                .put("reason", data.reason())
                .put("linkedinError", data.linkedinError().orElse(null))
                .put("refreshTokenExpiresAt", data.refreshTokenExpiresAt().map(Instant::toString).orElse(null));
        data.parkedJobs().ifPresentOrElse(n -> body.put("parkedJobs", n), () -> body.putNull("parkedJobs"));
        data.organization().ifPresent(o -> body.put("organization", o));
        return event.toString();
    }
}
