package io.courier.auth;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A connected LinkedIn member: who it is, what it may do, and whether its grant is alive. No tokens here. */
@Entity
@Table(name = "account")
public class Account extends PanacheEntityBase {

    public enum Status {
        CONNECTED, REAUTH_REQUIRED
    }

    @Id
    public String id;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Status status;

    @Column(name = "member_urn")
    public String memberUrn;

    /** Why the account needs re-authorization (LinkedIn's words), while it does. */
    @Column(name = "status_reason")
    public String statusReason;

    /** When the status last changed: the start of a re-authorization episode. */
    @Column(name = "status_changed_at")
    public Instant statusChangedAt;

    /** Space-separated OAuth scopes, as LinkedIn grants them. */
    public String scopes;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
