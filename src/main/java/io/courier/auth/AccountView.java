package io.courier.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What the admin API shows of an account: status, expiries and scopes, never a token. */
public record AccountView(String accountId, String status, Optional<String> statusReason, Optional<String> memberUrn,
        List<String> scopes,
        Optional<Instant> accessTokenExpiresAt, Optional<Instant> refreshTokenExpiresAt,
        boolean hasRefreshToken, Optional<String> tokenKeyId, Instant updatedAt) {}
