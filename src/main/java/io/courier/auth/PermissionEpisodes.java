package io.courier.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;

/**
 * A member's lost admin role on an organization page (CONTRACT §3, {@code courier.account.permission-lost}): the
 * first refusal of an episode writes the episode row and the event in one transaction, so every pod together emits
 * one event per account and organization per episode; the account stays connected for its other work. The next
 * success for that organization ends the episode.
 */
@ApplicationScoped
public class PermissionEpisodes {

    private final EntityManager em;
    private final AccountEvents events;
    private final Clock clock;

    PermissionEpisodes(EntityManager em, AccountEvents events, Clock clock) {
        this.em = em;
        this.events = events;
        this.clock = clock;
    }

    /** The account may no longer act for the organization; true when this started the episode (and its event). */
    @Transactional
    public boolean lost(String accountId, String organization, String linkedinMessage) {
        boolean started = em.createNativeQuery("""
                insert into account_permission_lost (account_id, organization, lost_at) values (?1, ?2, ?3)
                on conflict do nothing""")
                .setParameter(1, accountId).setParameter(2, organization)
                .setParameter(3, Timestamp.from(clock.instant())).executeUpdate() == 1;
        if (started) {
            events.add(AccountEvents.Type.PERMISSION_LOST, new AccountEvents.Data(accountId,
                    "the member is no longer an administrator of " + organization, Optional.of(linkedinMessage),
                    Optional.empty(), Optional.empty(), Optional.of(organization)), Optional.empty());
        }
        return started;
    }

    /** The account acted for the organization again: a later refusal is a new episode. */
    @Transactional
    public void regained(String accountId, String organization) {
        em.createNativeQuery("delete from account_permission_lost where account_id = ?1 and organization = ?2")
                .setParameter(1, accountId).setParameter(2, organization).executeUpdate();
    }
}
