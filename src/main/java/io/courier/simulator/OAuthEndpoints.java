package io.courier.simulator;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/** LinkedIn's OAuth server: /authorization, /accessToken and /introspectToken with their documented errors (§1). */
final class OAuthEndpoints {

    /** What the next /authorization does, queued by POST /sim/authorization/next. */
    record NextAuthorization(Optional<String> memberId, Optional<String> error, Optional<Set<String>> scopes) {}

    private static final String DEAD_GRANT = "The provided authorization grant or refresh token is invalid, expired or revoked";
    private final LinkedInSimulator sim;
    final AtomicReference<NextAuthorization> next = new AtomicReference<>();

    OAuthEndpoints(LinkedInSimulator sim) {
        this.sim = sim;
    }

    void authorize(Exchange ex) throws IOException {
        Map<String, String> q = ex.query;
        if (!sim.options().clientId().equals(q.get("client_id"))) {
            ex.send(400, Map.of("error", "invalid_client_id", "error_description",
                    "The passed in client_id is invalid \"" + q.get("client_id") + "\""));
            return;
        }
        String redirect = q.get("redirect_uri");
        if (redirect == null || !(redirect.startsWith("http://localhost") || redirect.startsWith("http://127.0.0.1"))) {
            ex.send(400, Map.of("error", "invalid_request", "error_description",
                    "redirect_uri is not registered for this app"));
            return;
        }
        NextAuthorization plan = Optional.ofNullable(next.getAndSet(null))
                .orElse(new NextAuthorization(Optional.empty(), Optional.empty(), Optional.empty()));
        String state = URLEncoder.encode(q.getOrDefault("state", ""), StandardCharsets.UTF_8);
        String sep = redirect.contains("?") ? "&" : "?";
        if (plan.error().isPresent()) {
            ex.redirect(redirect + sep + "error=" + plan.error().get() + "&error_description="
                    + URLEncoder.encode(describe(plan.error().get()), StandardCharsets.UTF_8) + "&state=" + state);
            return;
        }
        Set<String> scopes = plan.scopes().orElseGet(() -> Arrays.stream(q.getOrDefault("scope", "").split("[ ,]+"))
                .filter(s -> !s.isBlank()).collect(Collectors.toSet()));
        Identities.Member member = plan.memberId().map(sim.identities.members::get)
                .orElseGet(() -> sim.identities.addMember(Optional.empty(), "Sim Member", "member@example.com",
                        scopes, true, List.of()));
        String code = sim.identities.newCode(member.id(), redirect, scopes, sim.clock.now());
        ex.redirect(redirect + sep + "code=" + code + "&state=" + state);
    }

    void token(Exchange ex) throws IOException {
        Map<String, String> form = ex.form();
        for (String required : List.of("grant_type", "client_id", "client_secret")) {
            if (blank(form.get(required))) {
                fail(ex, 400, "invalid_request", "A required parameter \"" + required + "\" is missing");
                return;
            }
        }
        if (!sim.options().clientId().equals(form.get("client_id"))) {
            fail(ex, 400, "invalid_client_id", "The passed in client_id is invalid \"" + form.get("client_id") + "\"");
            return;
        }
        if (!sim.options().clientSecret().equals(form.get("client_secret"))) {
            fail(ex, 401, "invalid_client_id", "Client authentication failed");
            return;
        }
        switch (form.get("grant_type")) {
            case "authorization_code" -> codeGrant(ex, form);
            case "refresh_token" -> refreshGrant(ex, form);
            default ->
                fail(ex, 400, "unsupported_grant_type", "grant_type " + form.get("grant_type") + " is not supported");
        }
    }

    private void codeGrant(Exchange ex, Map<String, String> form) throws IOException {
        for (String required : List.of("code", "redirect_uri")) {
            if (blank(form.get(required))) {
                fail(ex, 400, "invalid_request", "A required parameter \"" + required + "\" is missing");
                return;
            }
        }
        Instant now = sim.clock.now();
        Identities.Code code = sim.identities.codes.remove(form.get("code")); // single use
        if (code != null) {
            ex.memberId = code.memberId();
        }
        if (code == null) {
            fail(ex, 401, "invalid_request", "Unable to retrieve access token: authorization code not found");
            return;
        }
        if (!code.expiresAt().isAfter(now) || !code.redirectUri().equals(form.get("redirect_uri"))) {
            fail(ex, 400, "invalid_redirect_uri",
                    "Unable to retrieve access token: appid/redirect uri/code verifier does not "
                            + "match authorization code. Or authorization code expired. Or external member binding exists");
            return;
        }
        Identities.Member member = sim.identities.members.get(code.memberId());
        sim.count("oauth.accessToken", 200);
        ex.send(200, tokenBody(sim.identities.consent(member, code.scopes(), now), now));
    }

    private void refreshGrant(Exchange ex, Map<String, String> form) throws IOException {
        if (blank(form.get("refresh_token"))) {
            fail(ex, 400, "invalid_request", "A required parameter \"refresh_token\" is missing");
            return;
        }
        Instant now = sim.clock.now();
        Identities.RefreshToken rt = sim.identities.refreshTokens.get(form.get("refresh_token"));
        if (rt != null) {
            ex.memberId = rt.memberId(); // the request log names whose refresh it was
        }
        if (rt == null || rt.revoked() || !rt.expiresAt().isAfter(now)) {
            // LinkedIn's real answer to a dead refresh token: invalid_request, not RFC 6749's invalid_grant.
            fail(ex, 400, "invalid_request", DEAD_GRANT);
            return;
        }
        Identities.Member member = sim.identities.members.get(rt.memberId());
        sim.count("oauth.accessToken", 200);
        ex.send(200, tokenBody(sim.identities.issueAccess(member.id(), member.scopes(), now, form.get("refresh_token"),
                rt.expiresAt()), now));
    }

    void introspect(Exchange ex) throws IOException {
        Map<String, String> form = ex.form();
        if (!sim.options().clientId().equals(form.get("client_id"))
                || !sim.options().clientSecret().equals(form.get("client_secret"))) {
            fail(ex, 401, "invalid_client_id", "Client authentication failed");
            return;
        }
        Identities.AccessToken at = sim.identities.accessTokens.get(form.getOrDefault("token", ""));
        if (at == null) {
            ex.send(200, Map.of("active", false));
            return;
        }
        Instant now = sim.clock.now();
        String status = at.revoked() ? "revoked" : at.expiresAt().isAfter(now) ? "active" : "expired";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("active", status.equals("active"));
        body.put("client_id", sim.options().clientId());
        body.put("status", status);
        body.put("expires_at", at.expiresAt().getEpochSecond());
        body.put("scope", String.join(",", at.scopes()));
        body.put("auth_type", "3L");
        ex.send(200, body);
    }

    private static Map<String, Object> tokenBody(Identities.Issued issued, Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", issued.accessToken());
        body.put("expires_in", Duration.between(now, issued.accessExpiresAt()).toSeconds());
        if (issued.refreshToken() != null) {
            body.put("refresh_token", issued.refreshToken());
            body.put("refresh_token_expires_in", Duration.between(now, issued.refreshExpiresAt()).toSeconds());
        }
        body.put("scope", String.join(",", issued.scopes()));
        return body;
    }

    private void fail(Exchange ex, int status, String error, String description) throws IOException {
        sim.count("oauth.accessToken", status);
        ex.send(status, Map.of("error", error, "error_description", description));
    }

    private static String describe(String error) {
        return switch (error) {
            case "user_cancelled_login" -> "The user cancelled LinkedIn login";
            case "user_cancelled_authorize" -> "The user cancelled the authorization";
            case "unauthorized_scope_error" -> "Scope \"r_fullprofile\" is not authorized for your application";
            default -> "The request is invalid";
        };
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
