package io.courier.auth;

import io.courier.auth.TokenCipher.UnreadableTokenException;
import io.courier.linkedin.BearerToken;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.persistence.OptimisticLockException;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The only way a token is written or decrypted: tokens are encrypted on the way in and come out as BearerTokens,
 * which cannot be logged by accident. (TokenKeys' rekey re-encrypts rows through the same TokenCipher; other readers
 * of account_token, listed on AccountToken, decrypt nothing themselves.)
 */
@ApplicationScoped
public class TokenStore implements PanacheRepositoryBase<AccountToken, String> {

    private static final Logger LOG = Logger.getLogger(TokenStore.class);
    static final String ACCESS = "access_token";
    static final String REFRESH = "refresh_token";

    private final TokenCipher cipher;
    private final Clock clock;
    private final AccountEvents events;
    private final ParkedJobCount parkedJobs;
    private final Counter reauthRequired;

    TokenStore(TokenCipher cipher, Clock clock, AccountEvents events, ParkedJobCount parkedJobs,
            MeterRegistry metrics) {
        this.cipher = cipher;
        this.clock = clock;
        this.events = events;
        this.parkedJobs = parkedJobs;
        this.reauthRequired = Counter.builder("courier.reauth.required")
                .description("accounts whose grant LinkedIn declared dead (one per episode)").register(metrics);
    }

    /**
     * An account's access token, when it ends, whether a refresh token is stored, and the row version it was read
     * at (for fenced writes).
     */
    public record AccessGrant(BearerToken accessToken, Instant expiresAt, boolean refreshable, long version) {}

    /** Everything stored for an account, read fresh: what a refresh decides on. */
    public record StoredTokens(Account.Status status, AccessGrant grant, Optional<BearerToken> refreshToken,
            Optional<Instant> refreshTokenExpiresAt) {}

    /** A refreshed token was not written: the row changed since it was read (another pod refreshed or imported). */
    public static final class StaleTokenException extends RuntimeException {
        StaleTokenException(String accountId) {
            super("token of account " + accountId + " changed since it was read; the newer one is kept", null, false,
                    false);
        }
    }

    /**
     * Stores an account's tokens (admin import or OAuth callback) and marks the account connected. A grant
     * without a refresh token never erases a stored one (CONTRACT §3), unless the stored one has expired.
     */
    @Transactional
    public AccountView importTokens(String accountId, TokenGrant grant) {
        Instant now = clock.instant();
        Account account = Account.findById(accountId);
        if (account == null) {
            account = new Account();
            account.id = accountId;
            account.createdAt = now;
        }
        if (account.status == Account.Status.REAUTH_REQUIRED) {
            events.add(AccountEvents.Type.REAUTH_RESOLVED, new AccountEvents.Data(accountId, "re-authorized",
                    Optional.empty(), grant.refreshTokenExpiresAt(), Optional.of(parkedJobs.of(accountId))),
                    Optional.empty());
            LOG.infof("account re-authorized accountId=%s", accountId);
        }
        if (account.status != Account.Status.CONNECTED) {
            account.statusChangedAt = now;
        }
        account.status = Account.Status.CONNECTED;
        account.statusReason = null;
        if (grant.memberUrn().isPresent()) {
            account.memberUrn = grant.memberUrn().get();
        }
        if (!grant.scopes().isEmpty()) {
            account.scopes = String.join(" ", grant.scopes());
        }
        account.updatedAt = now;
        account.persist();

        AccountToken row = findByIdOptional(accountId).orElseGet(AccountToken::new);
        boolean isNew = row.accountId == null;
        row.accountId = accountId;
        reencryptRefreshIfKept(row, grant, accountId);
        row.keyId = cipher.currentKeyId();
        row.accessToken = cipher.encrypt(grant.accessToken(), accountId, ACCESS);
        row.accessTokenExpiresAt = grant.accessTokenExpiresAt();
        row.updatedAt = now;
        if (isNew) {
            persist(row);
        }
        return view(account, row);
    }

    /** What an OAuth callback's grant came to. */
    public sealed interface ConnectOutcome {
        record Stored(AccountView account) implements ConnectOutcome {}

        record Refused(ConnectCheck.Refusal refusal) implements ConnectOutcome {}

        /** The account is gone (deleted since its link was opened): a connect never creates one. */
        record NoAccount() implements ConnectOutcome {}
    }

    /**
     * Stores a grant from the OAuth callback if {@link ConnectCheck} allows it, on the locked account row (a concurrent
     * connect or import cannot slip in between check and write). A refused grant changes nothing: no token, no
     * event, parked jobs stay parked.
     */
    @Transactional
    ConnectOutcome storeConnected(String accountId, TokenGrant grant, boolean allowRebind,
            List<String> configuredScopes) {
        Account account = Account.findById(accountId, LockModeType.PESSIMISTIC_WRITE);
        if (account == null) {
            return new ConnectOutcome.NoAccount();
        }
        Optional<ConnectCheck.Refusal> refusal = ConnectCheck.check(Optional.ofNullable(account.memberUrn),
                scopes(account),
                grant.memberUrn(), grant.scopes(), allowRebind, configuredScopes);
        if (refusal.isPresent()) {
            return new ConnectOutcome.Refused(refusal.get());
        }
        return new ConnectOutcome.Stored(importTokens(accountId, grant));
    }

    /**
     * Creates the account a connect link is minted for, if it does not exist: no tokens yet, so it is
     * REAUTH_REQUIRED (its jobs park, and run once the member connects). True when it was created.
     */
    @Transactional
    public boolean createIfMissing(String accountId) {
        if (Account.findById(accountId) != null) {
            return false;
        }
        Instant now = clock.instant();
        Account account = new Account();
        account.id = accountId;
        account.status = Account.Status.REAUTH_REQUIRED;
        account.statusReason = "not connected yet: waiting for the member to open a connect link";
        account.statusChangedAt = now;
        account.createdAt = now;
        account.updatedAt = now;
        account.persist();
        return true;
    }

    /** The scopes a connect of this account asks LinkedIn for (ConnectCheck.scopesToAsk). */
    @Transactional
    List<String> scopesToAsk(String accountId, List<String> configuredScopes) {
        Account account = Account.findById(accountId);
        return ConnectCheck.scopesToAsk(configuredScopes, account == null ? List.of() : scopes(account));
    }

    private static List<String> scopes(Account account) {
        return account.scopes == null || account.scopes.isBlank() ? List.of() : List.of(account.scopes.split(" "));
    }

    /**
     * The key may have rotated since the refresh token was written: keep it readable under the new key id. One that
     * no configured key opens is dropped: it can never be used again, and keeping its bytes under the new key id
     * would only make the next read fail (an import is how such an account recovers).
     */
    private void reencryptRefreshIfKept(AccountToken row, TokenGrant grant, String accountId) {
        if (grant.refreshToken().isPresent()) {
            row.refreshToken = cipher.encrypt(grant.refreshToken().get(), accountId, REFRESH);
            row.refreshTokenExpiresAt = grant.refreshTokenExpiresAt().orElse(null);
        } else if (row.refreshToken != null) {
            try {
                String kept = cipher.decrypt(row.refreshToken, row.keyId, accountId, REFRESH);
                row.refreshToken = cipher.encrypt(kept, accountId, REFRESH);
            } catch (UnreadableTokenException e) {
                LOG.warnf("stored refresh token unreadable, dropped accountId=%s keyId=%s", accountId, e.keyId());
                row.refreshToken = null;
                row.refreshTokenExpiresAt = null;
            }
        }
    }

    @Transactional
    public Optional<AccountView> account(String accountId) {
        Account account = Account.findById(accountId);
        if (account == null) {
            return Optional.empty();
        }
        return Optional.of(view(account, findById(accountId)));
    }

    /** Accounts in a state (e.g. REAUTH_REQUIRED for the ops page), the latest to enter it first. */
    @Transactional
    public List<AccountView> accountsIn(Account.Status status, int limit) {
        List<Account> accounts = Account.find("status = ?1 order by statusChangedAt desc", status).page(0, limit)
                .list();
        return accounts.stream().map(a -> view(a, findById(a.id))).toList();
    }

    @Transactional
    public boolean exists(String accountId) {
        return Account.count("id", accountId) > 0;
    }

    /**
     * Decrypts an access token row read by {@link AccountAccess} (the worker reads it together with the job's
     * outcome). Empty when no configured key opens it: the account is then REAUTH_REQUIRED, with a reason naming the
     * key, and its jobs park like those of any dead grant (an exception here was a job retried forever).
     */
    Optional<AccessGrant> openAccessGrant(String accountId, String keyId, byte[] sealed, Instant expiresAt,
            boolean refreshable, long version) {
        try {
            return Optional
                    .of(new AccessGrant(new BearerToken(cipher.decrypt(sealed, keyId, accountId, ACCESS)), expiresAt,
                            refreshable, version));
        } catch (UnreadableTokenException e) {
            markReauthRequired(accountId, unreadable(e), Optional.empty());
            return Optional.empty();
        }
    }

    /**
     * Everything stored for an account, decrypted.
     *
     * @throws ReauthRequiredException a stored token no configured key opens (the account was marked, and that mark
     * commits although this throws)
     */
    @Transactional(dontRollbackOn = ReauthRequiredException.class)
    public Optional<StoredTokens> stored(String accountId) {
        Account account = Account.findById(accountId);
        AccountToken row = findById(accountId);
        if (account == null || row == null) {
            return Optional.empty();
        }
        try {
            AccessGrant grant = new AccessGrant(
                    new BearerToken(cipher.decrypt(row.accessToken, row.keyId, accountId, ACCESS)),
                    row.accessTokenExpiresAt, row.refreshToken != null, row.version);
            Optional<BearerToken> refresh = Optional.ofNullable(row.refreshToken)
                    .map(t -> new BearerToken(cipher.decrypt(t, row.keyId, accountId, REFRESH)));
            return Optional.of(
                    new StoredTokens(account.status, grant, refresh, Optional.ofNullable(row.refreshTokenExpiresAt)));
        } catch (UnreadableTokenException e) {
            markReauthRequired(accountId, unreadable(e), Optional.empty());
            throw new ReauthRequiredException(accountId, unreadable(e));
        }
    }

    /** The reason an operator and the account event see: which key, and what to do. Never the token. */
    private static String unreadable(UnreadableTokenException e) {
        return "no configured key decrypts the stored token: " + e.getMessage()
                + "; reconnect the account, or configure the key it was sealed with";
    }

    /**
     * Writes a refreshed access token if the row is still at {@code readVersion}: the fence that stops a writer
     * whose lock lease ran out from overwriting a newer token. The check is Hibernate's @Version, so a write that
     * races in between the read and the flush is refused too.
     *
     * @throws StaleTokenException when a newer token is stored; nothing was written
     */
    @Transactional
    public AccessGrant storeRefreshed(String accountId, long readVersion, RefreshedTokens refreshed) {
        AccountToken row = findById(accountId);
        if (row == null || row.version != readVersion) {
            throw new StaleTokenException(accountId);
        }
        reencryptRefreshIfKept(row, new TokenGrant(refreshed.accessToken(), refreshed.accessTokenExpiresAt(),
                refreshed.refreshToken(), Optional.ofNullable(row.refreshTokenExpiresAt), List.of(), Optional.empty()),
                accountId);
        row.keyId = cipher.currentKeyId();
        row.accessToken = cipher.encrypt(refreshed.accessToken(), accountId, ACCESS);
        row.accessTokenExpiresAt = refreshed.accessTokenExpiresAt();
        row.updatedAt = clock.instant();
        try {
            getEntityManager().flush();
        } catch (OptimisticLockException e) {
            throw new StaleTokenException(accountId);
        }
        return new AccessGrant(new BearerToken(refreshed.accessToken()), row.accessTokenExpiresAt,
                row.refreshToken != null,
                row.version);
    }

    /** A refreshed access token in plaintext, on its way in; the refresh token's window never moves. */
    public record RefreshedTokens(String accessToken, Instant accessTokenExpiresAt, Optional<String> refreshToken) {
        @Override
        public String toString() {
            return "RefreshedTokens[accessTokenExpiresAt=" + accessTokenExpiresAt + "]";
        }
    }

    /**
     * Declares the account's grant dead: one transition CONNECTED → REAUTH_REQUIRED in PostgreSQL, and with it
     * (same transaction) the episode's one reauth-required event. False when the account was not CONNECTED:
     * another job or pod got there first, and no second event is written.
     */
    @Transactional
    public boolean markReauthRequired(String accountId, String reason, Optional<String> linkedinError) {
        int changed = getEntityManager().createNativeQuery("""
                        update account set status = 'REAUTH_REQUIRED', status_reason = ?1, status_changed_at = ?2,
                        updated_at = ?2 where id = ?3 and status = 'CONNECTED'""")
                .setParameter(1, reason)
                .setParameter(2, java.sql.Timestamp.from(clock.instant()))
                .setParameter(3, accountId)
                .executeUpdate();
        if (changed == 0) {
            return false;
        }
        AccountToken row = findById(accountId);
        events.add(AccountEvents.Type.REAUTH_REQUIRED, new AccountEvents.Data(accountId, reason, linkedinError,
                Optional.ofNullable(row).map(r -> r.refreshTokenExpiresAt), Optional.of(parkedJobs.of(accountId))),
                Optional.empty());
        reauthRequired.increment();
        LOG.warnf("account needs re-authorization accountId=%s reason=%s", accountId, reason);
        return true;
    }

    private static AccountView view(Account account, AccountToken token) {
        return new AccountView(account.id, account.status.name(), Optional.ofNullable(account.statusReason),
                Optional.ofNullable(account.memberUrn),
                scopes(account),
                Optional.ofNullable(token).map(t -> t.accessTokenExpiresAt),
                Optional.ofNullable(token).map(t -> t.refreshTokenExpiresAt),
                token != null && token.refreshToken != null,
                Optional.ofNullable(token).map(t -> t.keyId), account.updatedAt);
    }
}
