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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * OAuth connect (CONTRACT §5): {@code /oauth/connect} sends the member's browser to LinkedIn with a single-use
 * state; {@code /oauth/callback} checks the state, exchanges the code, stores the tokens and so resolves a pending
 * re-authorization. Every failure LinkedIn documents for /authorization and /accessToken gets a page saying what
 * happened and what to do: HTML for a browser, JSON for {@code Accept: application/json}.
 */
@Path("/oauth")
@PermitAll // the member's browser has no admin token; connect links carry their own proof (CONTRACT §5)
public class OAuthResource {

    private static final Logger LOG = Logger.getLogger(OAuthResource.class);

    private final OAuthStates states;
    private final LinkedInOAuthClient oauth;
    private final LinkedInClient linkedIn;
    private final TokenStore tokens;
    private final AppCredentialsGuard appCredentials;
    private final OAuthConfig config;
    private final Clock clock;

    OAuthResource(OAuthStates states, LinkedInOAuthClient oauth, LinkedInClient linkedIn, TokenStore tokens,
                  AppCredentialsGuard appCredentials, OAuthConfig config, Clock clock) {
        this.states = states;
        this.oauth = oauth;
        this.linkedIn = linkedIn;
        this.tokens = tokens;
        this.appCredentials = appCredentials;
        this.config = config;
        this.clock = clock;
    }

    @GET
    @Path("/connect")
    public Response connect(@QueryParam("accountId") String accountId, @Context HttpHeaders headers) {
        if (accountId == null || !AccountResource.ACCOUNT_ID.matcher(accountId).matches()) {
            return page(headers, 400, "invalid_account_id", null, "Which account?",
                    "Add ?accountId=… to the link: 1 to 128 letters, digits or . _ : @ -, the id your product uses for this member.");
        }
        String state = states.issue(accountId);
        LOG.infof("oauth connect started accountId=%s", accountId);
        return Response.seeOther(oauth.authorizationUrl(state, config.redirectUri(), config.scopes())).build();
    }

    @GET
    @Path("/callback")
    public Response callback(@QueryParam("code") String code, @QueryParam("state") String state,
                             @QueryParam("error") String error, @QueryParam("error_description") String description,
                             @Context HttpHeaders headers) {
        if (state == null || state.isBlank()) {
            return page(headers, 400, "missing_state", null, "This link is incomplete",
                    "LinkedIn's answer carried no state, so Courier cannot tell which account it is for. Start again from your product's Connect LinkedIn button.");
        }
        Optional<String> account = states.take(state);
        if (account.isEmpty()) {
            return page(headers, 400, "unknown_state", null, "This link has expired or was already used",
                    "Connect links work once and for " + config.stateTtl().toMinutes() + " minutes. Start again from your product's Connect LinkedIn button.");
        }
        String accountId = account.get();
        if (error != null) {
            return linkedInRefused(headers, accountId, error, description);
        }
        if (code == null || code.isBlank()) {
            return page(headers, 400, "missing_code", accountId, "LinkedIn sent no authorization code",
                    "Nothing was changed. Start again: /oauth/connect?accountId=" + accountId);
        }
        try {
            LinkedInOAuthClient.Tokens granted = oauth.exchangeCode(code, config.redirectUri());
            Optional<String> memberUrn = memberUrn(granted);
            tokens.importTokens(accountId, new TokenGrant(granted.accessToken(), granted.accessTokenExpiresAt(),
                    granted.refreshToken(), granted.refreshToken().map(r -> refreshWindowEnd(granted.refreshTokenExpiresIn())),
                    granted.scopes(), memberUrn));
            LOG.infof("oauth connect finished accountId=%s refreshToken=%s", accountId, granted.refreshToken().isPresent());
            return page(headers, 200, null, accountId, "LinkedIn account connected",
                    "Courier can now act for this member" + memberUrn.map(u -> " (" + u + ")").orElse("")
                            + ". Jobs that were waiting for this account run again now. You can close this page.");
        } catch (OAuthException e) {
            return exchangeRefused(headers, accountId, e);
        } catch (LinkedInUnreachableException e) {
            return page(headers, 502, "linkedin_unavailable", accountId, "LinkedIn did not answer",
                    "Nothing was changed. Wait a minute and start again: /oauth/connect?accountId=" + accountId);
        }
    }

    private Response linkedInRefused(HttpHeaders headers, String accountId, String error, String description) {
        LOG.infof("oauth connect refused at LinkedIn accountId=%s error=%s", accountId, error);
        String again = "/oauth/connect?accountId=" + accountId;
        return switch (error) {
            case "user_cancelled_login" -> page(headers, 400, error, accountId, "Sign-in cancelled",
                    "You cancelled signing in to LinkedIn, so nothing was connected. To connect, start again: " + again);
            case "user_cancelled_authorize" -> page(headers, 400, error, accountId, "Access not granted",
                    "You chose not to let this app act on your LinkedIn account, so nothing was connected. To connect, start again and choose Allow: " + again);
            case "unauthorized_scope_error" -> page(headers, 400, error, accountId, "The app may not ask for this permission",
                    "LinkedIn says: " + describe(description) + ". An operator must enable the matching product for the app in LinkedIn's Developer Portal, or remove the scope from courier.oauth.scopes (now " + config.scopes() + ").");
            default -> page(headers, 400, error, accountId, "LinkedIn refused the request",
                    "LinkedIn says " + error + ": " + describe(description) + ". Nothing was connected. If it persists, check the app's settings in LinkedIn's Developer Portal (redirect URL " + config.redirectUri() + ").");
        };
    }

    private Response exchangeRefused(HttpHeaders headers, String accountId, OAuthException e) {
        String again = "/oauth/connect?accountId=" + accountId;
        return switch (e.kind()) {
            case CODE_REJECTED -> e.error().filter("invalid_redirect_uri"::equals).isPresent()
                    ? page(headers, 400, "code_rejected", accountId, "The sign-in could not be completed",
                            "LinkedIn refused the authorization code: it expired (codes live 30 minutes), was already used, or the redirect URL does not match the one registered for the app (Courier uses " + config.redirectUri() + ", courier.oauth.redirect-uri). Start again: " + again)
                    : page(headers, 400, "code_rejected", accountId, "The sign-in could not be completed",
                            "LinkedIn no longer knows this authorization code (it expired or was already used). Start again: " + again);
            case APP_CREDENTIALS -> {
                appCredentials.trip(e.getMessage());
                yield page(headers, 503, "app_credentials", accountId, "The app's LinkedIn credentials are wrong",
                        "LinkedIn refused the app's client id or secret. An operator must fix LINKEDIN_CLIENT_ID / LINKEDIN_CLIENT_SECRET; then start again: " + again);
            }
            case DEAD_GRANT -> page(headers, 400, "code_rejected", accountId, "The sign-in could not be completed",
                    "LinkedIn says the grant is invalid, expired or revoked. Start again: " + again);
            case REQUEST_REJECTED -> page(headers, 502, "linkedin_error", accountId, "LinkedIn refused Courier's request",
                    "LinkedIn says: " + e.getMessage() + ". This is a fault on Courier's side; nothing was connected.");
            case TRANSIENT -> page(headers, 502, "linkedin_unavailable", accountId, "LinkedIn is not answering properly",
                    "Nothing was changed. Wait a minute and start again: " + again);
        };
    }

    /** The member's URN from OpenID userinfo (needs the openid scope); empty if LinkedIn does not say. */
    private Optional<String> memberUrn(LinkedInOAuthClient.Tokens granted) {
        try {
            JsonNode info = linkedIn.userinfo(new BearerToken(granted.accessToken())).value();
            return Optional.ofNullable(info.path("sub").asText(null)).map(sub -> "urn:li:person:" + sub);
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

    private static Response page(HttpHeaders headers, int status, String error, String accountId, String title, String message) {
        if (headers.getAcceptableMediaTypes().stream().anyMatch(t -> t.isCompatible(MediaType.APPLICATION_JSON_TYPE) && !t.isWildcardType())) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", error == null ? "connected" : "error");
            body.put("error", error);
            body.put("accountId", accountId);
            body.put("title", title);
            body.put("message", message);
            return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
        }
        String html = """
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s</title>
                <style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em}
                h1{font-size:1.4em}.error{color:#a40000}</style></head>
                <body><h1 class="%s">%s</h1><p>%s</p>%s</body></html>""".formatted(escape(title),
                error == null ? "ok" : "error", escape(title), escape(message),
                error == null ? "" : "<p><small>error: " + escape(error) + "</small></p>");
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8")).entity(html).build();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
