package io.courier.testkit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Named admin tokens for tests, one per role plus an operator with a 200-character name. The tokens are random per
 * test JVM and only their hashes reach Courier's configuration (CourierServices), as in production.
 */
public final class AdminCallers {

    public record Caller(String name, String role, String token) {}

    public static final Caller VIEWER = new Caller("viewer-test", "viewer", random());
    public static final Caller OPERATOR = new Caller("operator-test", "operator", random());
    public static final Caller ADMIN = new Caller("admin-test", "admin", random());
    /** An operator whose name is longer than the audit's column (varchar(128)). */
    public static final Caller LONG_NAMED_OPERATOR = new Caller("operator-" + "n".repeat(191), "operator", random());

    private AdminCallers() {}

    /** courier.admin.tokens.NAME.hash / .role for every caller above. */
    static Map<String, String> config() {
        Map<String, String> config = new LinkedHashMap<>();
        for (Caller c : new Caller[] {VIEWER, OPERATOR, ADMIN, LONG_NAMED_OPERATOR}) {
            config.put("courier.admin.tokens." + c.name() + ".hash", sha256(c.token()));
            config.put("courier.admin.tokens." + c.name() + ".role", c.role());
        }
        return config;
    }

    public static String sha256(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String random() {
        return "t-" + UUID.randomUUID() + UUID.randomUUID();
    }
}
