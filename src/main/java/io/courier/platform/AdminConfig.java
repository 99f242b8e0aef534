package io.courier.platform;

import io.smallrye.config.ConfigMapping;
import java.util.Map;
import java.util.Optional;

/** Admin API tokens (CONTRACT §5): named, each with a role. Only hashes are configured, never a named token itself. */
@ConfigMapping(prefix = "courier.admin")
public interface AdminConfig {

    /**
     * The single token of older setups (COURIER_ADMIN_TOKEN): still accepted, as the token named "admin" with role
     * admin.
     */
    Optional<String> token();

    /** courier.admin.tokens.NAME.hash / .role: the audit records NAME for every call made with that token. */
    Map<String, NamedToken> tokens();

    interface NamedToken {
        /** Hex SHA-256 of the token (64 hex digits): {@code printf %s "$TOKEN" | sha256sum}. */
        String hash();

        /** viewer, operator or admin (AdminRole). */
        AdminRole role();
    }
}
