package io.courier.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.linkedin.Urns;
import io.courier.platform.AdminRole;
import io.courier.platform.ApiError;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;

/** Admin API for connected accounts (CONTRACT §5): admins import tokens and mint connect links, viewers read status. */
@Path("/admin/accounts/{accountId}")
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {

    private static final Logger LOG = Logger.getLogger(AccountResource.class);
    static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    /** LinkedIn says to plan for tokens of up to 1000 characters (linkedin-api.md §1); leave room. */
    private static final int MAX_TOKEN_CHARS = 4096;

    private final TokenStore tokens;
    private final ConnectLinks links;
    private final ObjectMapper json;

    AccountResource(TokenStore tokens, ConnectLinks links, ObjectMapper json) {
        this.tokens = tokens;
        this.links = links;
        this.json = json;
    }

    /**
     * Mints a single-use connect link for the account (creating the account if it is new): {"url","expiresAt"}.
     * Body optional: {"allowRebind": true} lets the link connect a member other than the account's.
     */
    @Operation(summary = "A single-use, short-lived connect link for the member's browser", description = "Role: admin.")
    @APIResponse(responseCode = "200", description = "{url, expiresAt}")
    @APIResponse(responseCode = "400", description = "a body value that is not valid", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @APIResponse(responseCode = "503", description = "no courier.auth.connect-link-key is configured", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @POST
    @Path("/connect-link")
    @RolesAllowed(AdminRole.ADMIN_NAME)
    @Consumes(MediaType.WILDCARD) // a bare POST (curl -X POST, no body) mints a plain link
    public Response connectLink(@PathParam("accountId") String accountId, String body) {
        Optional<String> badId = checkAccountId(accountId);
        if (badId.isPresent()) {
            return ApiError.badRequest("accountId", badId.get());
        }
        JsonNode rebind;
        try {
            JsonNode parsed = body == null || body.isBlank() ? json.createObjectNode() : json.readTree(body);
            rebind = parsed.isObject() ? parsed.get("allowRebind") : parsed;
        } catch (JsonProcessingException e) {
            rebind = json.nullNode();
        }
        if (rebind != null && !rebind.isBoolean()) {
            return ApiError.badRequest("allowRebind", "send no body, {} or {\"allowRebind\": true|false}");
        }
        if (!links.enabled()) {
            return ApiError.of(Response.Status.SERVICE_UNAVAILABLE, "linkKey",
                    "connect links are off: set COURIER_CONNECT_LINK_KEY (courier.oauth.link-key)");
        }
        boolean allowRebind = rebind != null && rebind.asBoolean();
        boolean created = tokens.createIfMissing(accountId);
        ConnectLinks.Minted minted = links.mint(accountId, allowRebind);
        LOG.infof("connect link minted accountId=%s allowRebind=%s accountCreated=%s", accountId, allowRebind, created);
        return Response.ok(Map.of("url", minted.url().toString(), "expiresAt", minted.expiresAt().toString())).build();
    }

    @Operation(summary = "Imports (or replaces) an account's tokens", description = "Role: admin.")
    @APIResponse(responseCode = "200", description = "the account's status, expiries and scopes (never the tokens)")
    @APIResponse(responseCode = "400", description = "a token field that is not valid (field names it)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @PUT
    @Path("/tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.ADMIN_NAME)
    public Response importTokens(@PathParam("accountId") String accountId, JsonNode body) {
        Optional<String> badId = checkAccountId(accountId);
        if (badId.isPresent()) {
            return ApiError.badRequest("accountId", badId.get());
        }
        if (body == null || !body.isObject()) {
            return ApiError.badRequest("body", "expected a JSON object with accessToken and accessTokenExpiresAt");
        }
        try {
            TokenGrant grant = parse(body);
            AccountView view = tokens.importTokens(accountId, grant);
            LOG.infof("tokens imported accountId=%s refreshToken=%s", accountId, grant.refreshToken().isPresent());
            return Response.ok(view).build();
        } catch (InvalidField e) {
            return ApiError.badRequest(e.field, e.getMessage());
        }
    }

    @Operation(summary = "An account's status, expiries and scopes (never the tokens)", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "the account")
    @APIResponse(responseCode = "404", description = "no such account", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @GET
    @RolesAllowed(AdminRole.VIEWER_NAME)
    public Response account(@PathParam("accountId") String accountId) {
        return tokens.account(accountId)
                .map(view -> Response.ok(view).build())
                .orElseGet(() -> ApiError.notFound("accountId", "no account '" + accountId + "'"));
    }

    private static Optional<String> checkAccountId(String accountId) {
        return ACCOUNT_ID.matcher(accountId).matches()
                ? Optional.empty()
                : Optional.of("must be 1-128 characters of letters, digits and . _ : @ -");
    }

    private static TokenGrant parse(JsonNode body) {
        String accessToken = requiredText(body, "accessToken");
        Instant accessExpires = instant(body, "accessTokenExpiresAt")
                .orElseThrow(() -> new InvalidField("accessTokenExpiresAt", "is required (ISO-8601 instant)"));
        Optional<String> refreshToken = optionalText(body, "refreshToken");
        Optional<Instant> refreshExpires = instant(body, "refreshTokenExpiresAt");
        if (refreshToken.isPresent() && refreshExpires.isEmpty()) {
            throw new InvalidField("refreshTokenExpiresAt",
                    "is required with a refreshToken (LinkedIn's fixed 365-day window)");
        }
        Optional<String> memberUrn = optionalText(body, "memberUrn");
        if (memberUrn.isPresent()) {
            Urns.problem("memberUrn", memberUrn.get(), Set.of("person")).ifPresent(p -> {
                throw new InvalidField("memberUrn", p);
            });
        }
        return new TokenGrant(accessToken, accessExpires, refreshToken, refreshExpires, scopes(body), memberUrn);
    }

    private static String requiredText(JsonNode body, String field) {
        return optionalText(body, field).orElseThrow(() -> new InvalidField(field, "is required"));
    }

    private static Optional<String> optionalText(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new InvalidField(field, "must be a non-empty string");
        }
        if (node.asText().length() > MAX_TOKEN_CHARS) {
            throw new InvalidField(field, "is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        return Optional.of(node.asText());
    }

    private static Optional<Instant> instant(JsonNode body, String field) {
        return optionalText(body, field).map(text -> {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new InvalidField(field,
                        "must be an ISO-8601 instant like 2026-12-31T00:00:00Z, got '" + text + "'");
            }
        });
    }

    private static List<String> scopes(JsonNode body) {
        JsonNode node = body.get("scopes");
        List<String> scopes = new ArrayList<>();
        if (node == null || node.isNull()) {
            return scopes;
        }
        if (!node.isArray()) {
            throw new InvalidField("scopes", "must be an array of strings");
        }
        node.forEach(s -> {
            if (!s.isTextual() || !s.asText().matches("[A-Za-z0-9_.:-]{1,100}")) {
                throw new InvalidField("scopes", "must hold scope names like w_member_social");
            }
            scopes.add(s.asText());
        });
        return scopes;
    }

    /** A field of the request that fails a rule; becomes a 400 naming it. */
    private static final class InvalidField extends RuntimeException {
        final String field;

        InvalidField(String field, String message) {
            super(field + " " + message, null, false, false);
            this.field = field;
        }
    }
}
