package io.courier.auth;

import io.courier.auth.TokenStore.AccessGrant;
import io.courier.auth.TokenStore.StoredTokens;
import io.courier.linkedin.LinkedInOAuthClient;
import io.courier.linkedin.OAuthException;
import io.courier.platform.RedisLocks;
import io.courier.tracing.JobTracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.redisson.api.RedissonClient;

/**
 * Refreshes an account's access token exactly once per expiry however many workers notice it, on however many
 * pods: one refresh in flight per account per process (the others wait for its result), a Redisson lock per
 * account across processes, and after taking the lock a fresh read, so a token another pod just refreshed is used
 * as it is. The write is fenced by the row's version ({@link TokenStore#storeRefreshed}).
 *
 * <p>A dead grant (LinkedIn's invalid_grant, or invalid_request "…invalid, expired or revoked", a refresh token
 * past its window, or an expired access token with no refresh token) is declared only after re-reading the
 * stored token, and declared once: {@link TokenStore#markReauthRequired}.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // its counters at 0 before the first refresh (rate() needs two samples)
public class TokenRefresher {

    private static final Logger LOG = Logger.getLogger(TokenRefresher.class);

    private final TokenStore tokens;
    private final LinkedInOAuthClient oauth;
    private final RedissonClient redisson;
    private final AppCredentialsGuard appCredentials;
    private final Clock clock;
    private final Duration refreshAhead;
    private final Duration lockLease;
    private final Duration lockWait;
    private final JobTracing tracing;
    private final MeterRegistry metrics;
    private final ConcurrentHashMap<String, CompletableFuture<AccessGrant>> inFlight = new ConcurrentHashMap<>();

    public TokenRefresher(TokenStore tokens, LinkedInOAuthClient oauth, RedissonClient redisson,
            AppCredentialsGuard appCredentials, Clock clock, TokenLifecycleConfig config) {
        this(tokens, oauth, redisson, appCredentials, clock, config, JobTracing.untraced(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    @jakarta.inject.Inject
    public TokenRefresher(TokenStore tokens, LinkedInOAuthClient oauth, RedissonClient redisson,
            AppCredentialsGuard appCredentials, Clock clock, TokenLifecycleConfig config, JobTracing tracing,
            MeterRegistry metrics) {
        this.tracing = tracing;
        this.metrics = metrics;
        this.tokens = tokens;
        this.oauth = oauth;
        this.redisson = redisson;
        this.appCredentials = appCredentials;
        this.clock = clock;
        this.refreshAhead = config.refreshAhead();
        this.lockLease = config.lockLease();
        this.lockWait = config.lockWait();
        refreshes("refreshed"); // each outcome at 0 from the start, so that rate() counts the first one
        for (OAuthException.Kind kind : OAuthException.Kind.values()) {
            refreshes(outcomeOf(kind));
        }
    }

    /**
     * True when a token should be refreshed before use: it ends within courier.tokens.refresh-ahead, or, with no
     * refresh token to do it with, it has ended (then the refresh declares the grant dead).
     */
    public boolean dueForRefresh(AccessGrant grant) {
        Instant now = clock.instant();
        return !grant.expiresAt().isAfter(grant.refreshable() ? now.plus(refreshAhead) : now);
    }

    /**
     * A usable access token newer than the one read at {@code seenVersion}: another pod's, or a new one from
     * LinkedIn.
     *
     * @throws ReauthRequiredException the grant is dead (the account is now REAUTH_REQUIRED)
     * @throws AppCredentialsException LinkedIn refuses the app's credentials (refreshes are paused everywhere)
     * @throws TokenRefreshBusyException another pod holds the account's lock for longer than courier.tokens.lock-wait
     * @throws OAuthException (TRANSIENT, REQUEST_REJECTED) or LinkedInUnreachableException: try again later
     */
    public AccessGrant refresh(String accountId, long seenVersion) {
        CompletableFuture<AccessGrant> mine = new CompletableFuture<>();
        CompletableFuture<AccessGrant> running = inFlight.putIfAbsent(accountId, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            AccessGrant grant = tracing.step("token refresh", () -> refreshUnderLock(accountId, seenVersion));
            mine.complete(grant);
            return grant;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(accountId, mine);
        }
    }

    /**
     * LinkedIn said the token read at {@code seenVersion} is revoked (401 65601). Re-reads first: if another pod
     * stored a newer token meanwhile, that one is returned to try; otherwise the grant is declared dead.
     */
    public AccessGrant confirmRevoked(String accountId, long seenVersion, String linkedinMessage) {
        StoredTokens stored = storedOrDead(accountId);
        if (stored.grant().version() != seenVersion && stored.status() == Account.Status.CONNECTED) {
            return stored.grant();
        }
        throw dead(accountId, "LinkedIn revoked the access token: " + linkedinMessage,
                Optional.of("REVOKED_ACCESS_TOKEN"));
    }

    private AccessGrant refreshUnderLock(String accountId, long seenVersion) {
        return RedisLocks.underLock(redisson, "courier:token-refresh:" + accountId, lockWait, lockLease,
                () -> refreshLocked(accountId, seenVersion))
                .orElseThrow(() -> new TokenRefreshBusyException(accountId, lockWait));
    }

    /** With the account's lock held: a fresh read first, LinkedIn only when no other pod refreshed meanwhile. */
    private AccessGrant refreshLocked(String accountId, long seenVersion) {
        StoredTokens stored = storedOrDead(accountId);
        if (stored.status() == Account.Status.REAUTH_REQUIRED) {
            throw new ReauthRequiredException(accountId, "already waiting for re-authorization");
        }
        if (stored.grant().version() != seenVersion && !dueForRefresh(stored.grant())) {
            return stored.grant(); // another pod (or an import) refreshed it while we waited
        }
        return refreshWithLinkedIn(accountId, stored);
    }

    private AccessGrant refreshWithLinkedIn(String accountId, StoredTokens stored) {
        Instant now = clock.instant();
        if (stored.refreshToken().isEmpty()) {
            if (stored.grant().expiresAt().isAfter(now)) {
                return stored.grant(); // nothing to refresh with, and still usable: reauth-soon warns ahead
            }
            throw dead(accountId, "the access token expired at " + stored.grant().expiresAt()
                    + " and the account has no refresh token", Optional.empty());
        }
        if (stored.refreshTokenExpiresAt().filter(end -> !end.isAfter(now)).isPresent()) {
            throw dead(accountId, "the refresh token's 365-day window ended at " + stored.refreshTokenExpiresAt().get(),
                    Optional.empty());
        }
        Optional<String> refusal = appCredentials.refusal();
        if (refusal.isPresent()) {
            throw new AppCredentialsException(refusal.get());
        }
        LinkedInOAuthClient.Tokens fresh;
        try {
            fresh = oauth.refresh(stored.refreshToken().get());
            counted("refreshed");
        } catch (OAuthException e) {
            counted(outcomeOf(e.kind()));
            switch (e.kind()) {
                case DEAD_GRANT -> {
                    StoredTokens again = storedOrDead(accountId);
                    if (again.grant().version() != stored.grant().version()
                            && again.status() == Account.Status.CONNECTED) {
                        return again.grant(); // refreshed or re-imported a moment ago: not dead after all
                    }
                    throw dead(accountId, e.getMessage(), e.error());
                }
                case APP_CREDENTIALS -> {
                    appCredentials.trip(e.getMessage());
                    throw new AppCredentialsException(e.getMessage());
                }
                default -> throw e;
            }
        }
        try {
            AccessGrant grant = tokens.storeRefreshed(accountId, stored.grant().version(),
                    new TokenStore.RefreshedTokens(
                            fresh.accessToken(), fresh.accessTokenExpiresAt(), fresh.refreshToken()));
            LOG.infof("access token refreshed accountId=%s expiresAt=%s", accountId, grant.expiresAt());
            return grant;
        } catch (TokenStore.StaleTokenException e) {
            LOG.infof("refreshed token discarded, a newer one is stored accountId=%s", accountId);
            return storedOrDead(accountId).grant();
        }
    }

    /** Each refresh LinkedIn answered, by its outcome (refreshed, or the OAuthException's kind). */
    private void counted(String outcome) {
        refreshes(outcome).increment();
    }

    private Counter refreshes(String outcome) {
        return Counter.builder("courier.token.refreshes").description("Token refreshes LinkedIn answered, by outcome")
                .tag("outcome", outcome).register(metrics);
    }

    private static String outcomeOf(OAuthException.Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    private StoredTokens storedOrDead(String accountId) {
        return tokens.stored(accountId).orElseThrow(() -> new ReauthRequiredException(accountId, "no tokens stored"));
    }

    private ReauthRequiredException dead(String accountId, String reason, Optional<String> linkedinError) {
        tokens.markReauthRequired(accountId, reason, linkedinError);
        return new ReauthRequiredException(accountId, reason);
    }

    /** Another pod is refreshing this account's token for longer than we wait: delay the job. */
    public static final class TokenRefreshBusyException extends RuntimeException {
        TokenRefreshBusyException(String accountId, Duration waited) {
            super("token refresh of account " + accountId + " held by another worker for more than " + waited, null,
                    false, false);
        }
    }
}
