package io.courier.auth;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Tokens LinkedIn granted an account, in plaintext, on their way into TokenStore. Never logged. */
public record TokenGrant(String accessToken, Instant accessTokenExpiresAt, Optional<String> refreshToken,
        Optional<Instant> refreshTokenExpiresAt, List<String> scopes, Optional<String> memberUrn) {

    public TokenGrant {
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(accessTokenExpiresAt, "accessTokenExpiresAt");
        scopes = List.copyOf(scopes);
    }

    @Override
    public String toString() {
        return "TokenGrant[accessTokenExpiresAt=" + accessTokenExpiresAt + ", refreshToken="
                + (refreshToken.isPresent() ? "present" : "absent") + ", scopes=" + scopes + "]";
    }
}
