package io.courier.auth;

import io.courier.linkedin.BearerToken;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The only way in and out of token rows: tokens are encrypted on the way in and come out as BearerTokens,
 * which cannot be logged by accident.
 */
@ApplicationScoped
public class TokenStore implements PanacheRepositoryBase<AccountToken, String> {

    static final String ACCESS = "access_token";
    static final String REFRESH = "refresh_token";

    private final TokenCipher cipher;
    private final Clock clock;

    TokenStore(TokenCipher cipher, Clock clock) {
        this.cipher = cipher;
        this.clock = clock;
    }

    /** An account's usable access token and when it ends. */
    public record AccessGrant(BearerToken accessToken, Instant expiresAt) {}

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
        account.status = Account.Status.CONNECTED;
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

    /** The key may have rotated since the refresh token was written: keep it readable under the new key id. */
    private void reencryptRefreshIfKept(AccountToken row, TokenGrant grant, String accountId) {
        if (grant.refreshToken().isPresent()) {
            row.refreshToken = cipher.encrypt(grant.refreshToken().get(), accountId, REFRESH);
            row.refreshTokenExpiresAt = grant.refreshTokenExpiresAt().orElse(null);
        } else if (row.refreshToken != null) {
            String kept = cipher.decrypt(row.refreshToken, row.keyId, accountId, REFRESH);
            row.refreshToken = cipher.encrypt(kept, accountId, REFRESH);
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

    @Transactional
    public boolean exists(String accountId) {
        return Account.count("id", accountId) > 0;
    }

    @Transactional
    public Optional<AccessGrant> accessGrant(String accountId) {
        return findByIdOptional(accountId).map(row -> new AccessGrant(
                new BearerToken(cipher.decrypt(row.accessToken, row.keyId, accountId, ACCESS)),
                row.accessTokenExpiresAt));
    }

    private static AccountView view(Account account, AccountToken token) {
        List<String> scopes = account.scopes == null || account.scopes.isBlank()
                ? List.of() : List.of(account.scopes.split(" "));
        return new AccountView(account.id, account.status.name(), Optional.ofNullable(account.memberUrn), scopes,
                Optional.ofNullable(token).map(t -> t.accessTokenExpiresAt),
                Optional.ofNullable(token).map(t -> t.refreshTokenExpiresAt),
                token != null && token.refreshToken != null,
                Optional.ofNullable(token).map(t -> t.keyId), account.updatedAt);
    }
}
