package io.courier.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.linkedin.BearerToken;
import io.courier.linkedin.LinkedInClient;
import io.courier.linkedin.LinkedInOAuthClient;
import io.courier.linkedin.LinkedInUnreachableException;
import io.courier.linkedin.OAuthException;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * OAuth connect (CONTRACT §5): {@code /oauth/connect} opens a connect link (ConnectLinks) and sends the member's
 * browser to LinkedIn with a single-use state bound to that browser by a cookie; {@code /oauth/callback} checks
 * state and cookie, exchanges the code, and stores the tokens only if they are the account's member with the scopes
 * its jobs use (ConnectCheck), which also resolves a pending re-authorization. Every failure LinkedIn documents for
 * /authorization and /accessToken gets a page saying what
 * happened and what to do: HTML for a browser, JSON for {@code Accept: application/json}.
 */
@Path("/oauth")
@PermitAll // the member's browser has no admin token; connect links carry their own proof (CONTRACT §5)
public class OAuthResource {

    private static final Logger LOG = Logger.getLogger(OAuthResource.class);
    /** The cookie binding a state to the browser that opened the link: it holds the state's SHA-256, nothing else. */
    static final String STATE_COOKIE = "courier_oauth_state";
    /**
     * Under https the cookie is __Host- prefixed (Secure, Path=/, no Domain): a sibling subdomain or a plain-http
     * answer cannot plant one, which would bind a victim's sign-in to an attacker's state (login CSRF).
     */
    static final String HOST_STATE_COOKIE = "__Host-" + STATE_COOKIE;
    private static final java.util.regex.Pattern MEMBER_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final String NEW_LINK = "Ask for a new connect link where you started (in your product): each link works once and for a few minutes.";
    private static final String AGAIN = "open a new connect link from your product (each works once).";
    static final String HOW_TO_GET_LINK = "Connect links are made by the product that uses Courier: it calls "
            + "POST /admin/accounts/{accountId}/connect-link (admin API) or signs one with the shared link key, then sends you to it. "
            + "Go back to the product and use its Connect LinkedIn button.";

    private final OAuthStates states;
    private final ConnectLinks links;
    private final LinkedInOAuthClient oauth;
    private final LinkedInClient linkedIn;
    private final TokenStore tokens;
    private final AppCredentialsGuard appCredentials;
    private final OAuthConfig config;
    private final Clock clock;

    OAuthResource(OAuthStates states, ConnectLinks links, LinkedInOAuthClient oauth, LinkedInClient linkedIn,
            TokenStore tokens,
            AppCredentialsGuard appCredentials, OAuthConfig config, Clock clock) {
        this.states = states;
        this.links = links;
        this.oauth = oauth;
        this.linkedIn = linkedIn;
        this.tokens = tokens;
        this.appCredentials = appCredentials;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Opens a connect link: a valid, unused one redirects to LinkedIn with a new state and sets the state's cookie;
     * anything else is a 403 page saying how to get a link, and writes nothing.
     */
    @GET
    @Path("/connect")
    public Response connect(@QueryParam("accountId") String accountId, @QueryParam("expires") String expires,
            @QueryParam("nonce") String nonce, @QueryParam("rebind") String rebind,
            @QueryParam("sig") String sig, @Context HttpHeaders headers) {
        ConnectLinks.Link link;
        switch (links.verify(accountId, expires, nonce, rebind, sig)) {
            case ConnectLinks.Verdict.Invalid invalid -> {
                LOG.infof("oauth connect refused reason=%s", invalid.code());
                return page(headers, 403, invalid.code(), null, "This page needs a connect link",
                        "Courier cannot start a LinkedIn connection from here: " + invalid.reason() + ". "
                                + HOW_TO_GET_LINK)
                        .build();
            }
            case ConnectLinks.Verdict.Valid valid -> link = valid.link();
        }
        if (!states.claimLink(link)) {
            LOG.infof("oauth connect refused reason=link_used accountId=%s", link.accountId());
            return page(headers, 403, "link_used", link.accountId(), "This connect link was already used", NEW_LINK)
                    .build();
        }
        Optional<String> state = states.issue(new OAuthStates.ConnectState(link.accountId(), link.allowRebind()));
        if (state.isEmpty()) {
            states.releaseLink(link);
            LOG.warnf("oauth connect refused: too many connects in progress accountId=%s", link.accountId());
            return page(headers, 503, "too_many_connects", link.accountId(), "Too many sign-ins in progress",
                    "Courier is handling too many LinkedIn sign-ins right now. Wait a minute and open the same link again.")
                    .header("Retry-After", "60").build();
        }
        // The signature is the product's (or an admin's) word for this account, like a mint: it may create the row.
        tokens.createIfMissing(link.accountId());
        LOG.infof("oauth connect started accountId=%s allowRebind=%s", link.accountId(), link.allowRebind());
        return Response.seeOther(oauth.authorizationUrl(state.get(), config.redirectUri(),
                tokens.scopesToAsk(link.accountId(), config.scopes())))
                .cookie(stateCookie(OAuthStates.hash(state.get()), (int) config.stateTtl().toSeconds())).build();
    }

    @GET
    @Path("/callback")
    public Response callback(@QueryParam("code") String code, @QueryParam("state") String state,
            @QueryParam("error") String error, @QueryParam("error_description") String description,
            @Context HttpHeaders headers) {
        jakarta.ws.rs.core.Cookie sent = headers.getCookies().get(stateCookieName());
        String stateCookie = sent == null ? null : sent.getValue();
        if (state == null || state.isBlank()) {
            return page(headers, 400, "missing_state", null, "This link is incomplete",
                    "LinkedIn's answer carried no state, so Courier cannot tell which account it is for. " + NEW_LINK)
                    .build();
        }
        // Constant time: the answer's timing must not reveal how much of a guessed cookie matched.
        if (stateCookie == null || !MessageDigest.isEqual(OAuthStates.hash(state).getBytes(StandardCharsets.US_ASCII),
                stateCookie.getBytes(StandardCharsets.US_ASCII))) {
            LOG.infof("oauth callback refused: state not started in this browser cookie=%s", stateCookie != null);
            return page(headers, 403, "browser_mismatch", null, "Finish connecting in the browser where you started",
                    "This sign-in was started in another browser (or this browser's cookies are off), so Courier does not "
                            + "accept it here: someone may have sent you a LinkedIn link of theirs. Nothing was changed. "
                            + NEW_LINK)
                    .build();
        }
        Optional<OAuthStates.ConnectState> connect = states.take(state);
        if (connect.isEmpty()) {
            return done(page(headers, 400, "unknown_state", null, "This link has expired or was already used",
                    "A sign-in must finish within " + config.stateTtl().toMinutes() + " minutes and works once. "
                            + NEW_LINK));
        }
        String accountId = connect.get().accountId();
        if (error != null) {
            return done(linkedInRefused(headers, accountId, error, description));
        }
        if (code == null || code.isBlank()) {
            return done(page(headers, 400, "missing_code", accountId, "LinkedIn sent no authorization code",
                    "Nothing was changed. " + NEW_LINK));
        }
        return done(exchange(headers, connect.get(), code));
    }

    /** Exchanges the code, reads who signed in, and stores the grant if it is the account's (ConnectCheck). */
    private Response.ResponseBuilder exchange(HttpHeaders headers, OAuthStates.ConnectState connect, String code) {
        String accountId = connect.accountId();
        try {
            LinkedInOAuthClient.Tokens granted = oauth.exchangeCode(code, config.redirectUri());
            Optional<String> memberUrn = memberUrn(granted);
            TokenGrant grant = new TokenGrant(granted.accessToken(), granted.accessTokenExpiresAt(),
                    granted.refreshToken(),
                    granted.refreshToken().map(r -> refreshWindowEnd(granted.refreshTokenExpiresIn())),
                    granted.scopes(), memberUrn);
            return switch (tokens.storeConnected(accountId, grant, connect.allowRebind(), config.scopes())) {
                case TokenStore.ConnectOutcome.Stored stored -> {
                    LOG.infof("oauth connect finished accountId=%s refreshToken=%s", accountId,
                            granted.refreshToken().isPresent());
                    yield page(headers, 200, null, accountId, "LinkedIn account connected",
                            "Courier can now act for this member" + memberUrn.map(u -> " (" + u + ")").orElse("")
                                    + ". Jobs that were waiting for this account run again now. You can close this page.");
                }
                case TokenStore.ConnectOutcome.Refused refused -> refusedGrant(headers, accountId, refused.refusal());
                case TokenStore.ConnectOutcome.NoAccount none -> page(headers, 404, "unknown_account", accountId,
                        "This account no longer exists", "Nothing was stored. " + NEW_LINK);
            };
        } catch (OAuthException e) {
            return exchangeRefused(headers, accountId, e);
        } catch (LinkedInUnreachableException e) {
            return page(headers, 502, "linkedin_unavailable", accountId, "LinkedIn did not answer",
                    "Nothing was changed. Wait a minute. " + NEW_LINK);
        }
    }

    private Response.ResponseBuilder refusedGrant(HttpHeaders headers, String accountId, ConnectCheck.Refusal refusal) {
        LOG.infof("oauth connect refused accountId=%s refusal=%s", accountId, refusal);
        String kept = " Nothing was stored: the account keeps its current connection.";
        return switch (refusal) {
            case ConnectCheck.Refusal.MemberMismatch m -> page(headers, 403, "member_mismatch", accountId,
                    "This is not the LinkedIn member of this account",
                    "You signed in to LinkedIn as " + m.granted()
                            + ", but this account belongs to another LinkedIn member." + kept
                            + " Sign in to LinkedIn as that member and open a new connect link; to move the account to "
                            + "another member, an operator mints a link with \"allowRebind\": true.");
            case ConnectCheck.Refusal.MemberUnknown u -> page(headers, 403, "member_unknown", accountId,
                    "LinkedIn did not say who signed in",
                    "Courier could not read the member of this sign-in (scope openid missing, or LinkedIn's userinfo failed), "
                            + "so it cannot check that it is this account's member." + kept + " " + NEW_LINK);
            case ConnectCheck.Refusal.ScopesMissing m -> page(headers, 403, "scopes_missing", accountId,
                    "Some permissions were not granted",
                    "LinkedIn granted fewer permissions than this account's jobs use; missing: "
                            + String.join(", ", m.missing())
                            + "." + kept + " Open a new connect link and allow every permission LinkedIn asks for.");
        };
    }

    private Response.ResponseBuilder linkedInRefused(HttpHeaders headers, String accountId, String error,
            String description) {
        LOG.infof("oauth connect refused at LinkedIn accountId=%s error=%s", accountId, error);
        return switch (error) {
            case "user_cancelled_login" -> page(headers, 400, error, accountId, "Sign-in cancelled",
                    "You cancelled signing in to LinkedIn, so nothing was connected. To connect, start again: "
                            + AGAIN);
            case "user_cancelled_authorize" -> page(headers, 400, error, accountId, "Access not granted",
                    "You chose not to let this app act on your LinkedIn account, so nothing was connected. To connect, start again and choose Allow: "
                            + AGAIN);
            case "unauthorized_scope_error" -> page(headers, 400, error, accountId,
                    "The app may not ask for this permission",
                    "LinkedIn says: " + describe(description)
                            + ". An operator must enable the matching product for the app in LinkedIn's Developer Portal, or remove the scope from courier.oauth.scopes (now "
                            + config.scopes() + ").");
            default -> page(headers, 400, error, accountId, "LinkedIn refused the request",
                    "LinkedIn says " + error + ": " + describe(description)
                            + ". Nothing was connected. If it persists, check the app's settings in LinkedIn's Developer Portal (redirect URL "
                            + config.redirectUri() + ").");
        };
    }

    private Response.ResponseBuilder exchangeRefused(HttpHeaders headers, String accountId, OAuthException e) {
        return switch (e.kind()) {
            case CODE_REJECTED -> e.error().filter("invalid_redirect_uri"::equals).isPresent()
                    ? page(headers, 400, "code_rejected", accountId, "The sign-in could not be completed",
                            "LinkedIn refused the authorization code: it expired (codes live 30 minutes), was already used, or the redirect URL does not match the one registered for the app (Courier uses "
                                    + config.redirectUri() + ", courier.oauth.redirect-uri). Start again: " + AGAIN)
                    : page(headers, 400, "code_rejected", accountId, "The sign-in could not be completed",
                            "LinkedIn no longer knows this authorization code (it expired or was already used). Start again: "
                                    + AGAIN);
            case APP_CREDENTIALS -> {
                appCredentials.trip(e.getMessage());
                yield page(headers, 503, "app_credentials", accountId, "The app's LinkedIn credentials are wrong",
                        "LinkedIn refused the app's client id or secret. An operator must fix LINKEDIN_CLIENT_ID / LINKEDIN_CLIENT_SECRET; then start again: "
                                + AGAIN);
            }
            case DEAD_GRANT -> page(headers, 400, "code_rejected", accountId, "The sign-in could not be completed",
                    "LinkedIn says the grant is invalid, expired or revoked. Start again: " + AGAIN);
            case REQUEST_REJECTED -> page(headers, 502, "linkedin_error", accountId,
                    "LinkedIn refused Courier's request",
                    "LinkedIn says: " + e.getMessage() + ". This is a fault on Courier's side; nothing was connected.");
            case TRANSIENT ->
                page(headers, 502, "linkedin_unavailable", accountId, "LinkedIn is not answering properly",
                        "Nothing was changed. Wait a minute and start again: " + AGAIN);
        };
    }

    /** The member's URN from OpenID userinfo (needs the openid scope); empty if LinkedIn does not say. */
    private Optional<String> memberUrn(LinkedInOAuthClient.Tokens granted) {
        try {
            JsonNode info = linkedIn.userinfo(new BearerToken(granted.accessToken())).value();
            // A person id is short and URL-safe; anything else (blank, an object, a URN of its own) is no member.
            return Optional.ofNullable(info.path("sub").textValue()).filter(sub -> MEMBER_ID.matcher(sub).matches())
                    .map(sub -> "urn:li:person:" + sub);
        } catch (RuntimeException e) {
            LOG.infof("member identity not read after connect (scope openid missing?) cause=%s", e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * LinkedIn's refresh window is fixed at 365 days from consent, and the unit of refresh_token_expires_in is
     * uncertain (its docs' sample is minutes, the field is described as seconds): read it the generous way and
     * clamp to 365 days (linkedin-api.md §1). A late guess costs at most an unnecessary refresh attempt.
     */
    private Instant refreshWindowEnd(Optional<Duration> expiresIn) {
        Duration window = expiresIn.map(d -> d.multipliedBy(60))
                .filter(d -> d.compareTo(LinkedInOAuthClient.REFRESH_WINDOW) < 0)
                .orElse(LinkedInOAuthClient.REFRESH_WINDOW);
        return clock.instant().plus(window);
    }

    private static String describe(String description) {
        return description == null || description.isBlank() ? "(no description)" : description;
    }

    private static Response.ResponseBuilder page(HttpHeaders headers, int status, String error, String accountId,
            String title,
            String message) {
        return OAuthPages.page(headers.getRequestHeader(HttpHeaders.ACCEPT), status, error, accountId, title, message);
    }

    /** An answer that ends a state: the browser drops its cookie. */
    private Response done(Response.ResponseBuilder page) {
        return page.cookie(stateCookie("", 0)).build();
    }

    /**
     * HttpOnly (no script reads it), SameSite=Lax (sent on LinkedIn's top-level redirect back, not on cross-site
     * posts).
     */
    private NewCookie stateCookie(String value, int maxAgeSeconds) {
        boolean https = https();
        return new NewCookie.Builder(stateCookieName()).value(value)
                .path(https ? "/" : URI.create(config.redirectUri()).getRawPath())
                .maxAge(maxAgeSeconds).httpOnly(true).secure(https).sameSite(NewCookie.SameSite.LAX).build();
    }

    private String stateCookieName() {
        return https() ? HOST_STATE_COOKIE : STATE_COOKIE;
    }

    private boolean https() {
        return config.redirectUri().startsWith("https:");
    }
}
