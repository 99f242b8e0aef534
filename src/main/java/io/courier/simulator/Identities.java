package io.courier.simulator;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Members, their tokens and authorization codes, with LinkedIn's lifetimes (linkedin-api.md §1): access
 * tokens 60 days, refresh tokens a fixed 365 days from first consent (refreshing does not extend it, and the
 * same refresh token comes back), codes 30 minutes and single use.
 */
final class Identities {

    static final Duration ACCESS_TTL = Duration.ofDays(60);
    static final Duration REFRESH_TTL = Duration.ofDays(365);
    static final Duration CODE_TTL = Duration.ofMinutes(30);
    static final List<String> ALL_SCOPES = List.of("openid", "profile", "email", "w_member_social",
            "w_organization_social", "r_organization_social", "rw_organization_admin", "r_member_postAnalytics");

    record Member(String id, String name, String email, Set<String> scopes, boolean refreshEnabled,
            List<String> adminOf) {
        String urn() {
            return "urn:li:person:" + id;
        }
    }

    record AccessToken(String memberId, Set<String> scopes, Instant expiresAt, boolean revoked) {}

    record RefreshToken(String memberId, Instant expiresAt, boolean revoked) {}

    record Code(String memberId, String redirectUri, Set<String> scopes, Instant expiresAt) {}

    /** A token pair as issued; refreshToken is null for apps without programmatic refresh. */
    record Issued(String accessToken, Instant accessExpiresAt, String refreshToken, Instant refreshExpiresAt,
            Set<String> scopes) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String TOKEN_ALPHABET = ALPHABET + "-_";

    final Map<String, Member> members = new ConcurrentHashMap<>();
    final Map<String, AccessToken> accessTokens = new ConcurrentHashMap<>();
    final Map<String, RefreshToken> refreshTokens = new ConcurrentHashMap<>();
    final Map<String, Code> codes = new ConcurrentHashMap<>();

    Member addMember(Optional<String> id, String name, String email, Set<String> scopes, boolean refresh,
            List<String> adminOf) {
        Member m = new Member(id.orElseGet(() -> random(ALPHABET, 10)), name, email, Set.copyOf(scopes), refresh,
                List.copyOf(adminOf));
        members.put(m.id(), m);
        return m;
    }

    /** First consent: a new access token and, where enabled, a refresh token whose 365 days start now. */
    Issued consent(Member m, Set<String> scopes, Instant now) {
        String refresh = null;
        Instant refreshEnds = null;
        if (m.refreshEnabled()) {
            refresh = "AQW" + random(TOKEN_ALPHABET, 497);
            refreshEnds = now.plus(REFRESH_TTL);
            refreshTokens.put(refresh, new RefreshToken(m.id(), refreshEnds, false));
        }
        return issueAccess(m.id(), scopes, now, refresh, refreshEnds);
    }

    Issued issueAccess(String memberId, Set<String> scopes, Instant now, String refresh, Instant refreshEnds) {
        String access = "AQU" + random(TOKEN_ALPHABET, 497);
        accessTokens.put(access, new AccessToken(memberId, Set.copyOf(scopes), now.plus(ACCESS_TTL), false));
        return new Issued(access, now.plus(ACCESS_TTL), refresh, refreshEnds, scopes);
    }

    String newCode(String memberId, String redirectUri, Set<String> scopes, Instant now) {
        String code = "AQT" + random(TOKEN_ALPHABET, 80);
        codes.put(code, new Code(memberId, redirectUri, Set.copyOf(scopes), now.plus(CODE_TTL)));
        return code;
    }

    void revoke(String memberId) {
        accessTokens.replaceAll((t, a) -> a.memberId().equals(memberId)
                ? new AccessToken(a.memberId(), a.scopes(), a.expiresAt(), true)
                : a);
        refreshTokens.replaceAll(
                (t, r) -> r.memberId().equals(memberId) ? new RefreshToken(r.memberId(), r.expiresAt(), true) : r);
    }

    /** Revokes one access token (the member revoked an old grant, or LinkedIn replaced it); false if unknown. */
    boolean revokeAccess(String token) {
        return accessTokens.computeIfPresent(token,
                (t, a) -> new AccessToken(a.memberId(), a.scopes(), a.expiresAt(), true)) != null;
    }

    void clear() {
        members.clear();
        accessTokens.clear();
        refreshTokens.clear();
        codes.clear();
    }

    static String random(String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
