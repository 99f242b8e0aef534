package io.courier.auth;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;

/**
 * An account's OAuth tokens, encrypted (TokenCipher). The entity is TokenStore's; the table is read only inside
 * auth: AccountAccess's sub-select (the worker's per-job read, opened by TokenStore), ReauthScan (expiry dates) and
 * TokenKeys (counts by key id, and the rekey that re-encrypts rows in place). The version fences writers: one whose
 * lock lease expired cannot overwrite a newer token.
 */
@Entity
@Table(name = "account_token")
public class AccountToken {

    @Id
    @Column(name = "account_id")
    public String accountId;

    @Column(name = "key_id", nullable = false)
    public String keyId;

    @Column(name = "access_token", nullable = false)
    public byte[] accessToken;

    @Column(name = "access_token_expires_at", nullable = false)
    public Instant accessTokenExpiresAt;

    @Column(name = "refresh_token")
    public byte[] refreshToken;

    @Column(name = "refresh_token_expires_at")
    public Instant refreshTokenExpiresAt;

    @Version
    public long version;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
