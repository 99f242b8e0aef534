package io.courier.platform;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The admin tokens Courier accepts, by name and role (AdminConfig). Only SHA-256 hashes are held: a presented token
 * is hashed and compared with every configured hash without an early exit (MessageDigest.isEqual on equal-length
 * digests), so the answer's timing tells neither how much of a token matched nor which one. Bad configuration
 * fails the start naming the property.
 */
@Startup
@ApplicationScoped
public class AdminTokens {

    /** The name the old single COURIER_ADMIN_TOKEN is known by in the audit. */
    public static final String LEGACY_NAME = "admin";
    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    /** Who called: the token's configured name and its role. */
    public record Caller(String name, AdminRole role) {}

    private record Entry(String name, byte[] hash, AdminRole role) {}

    private final List<Entry> entries;

    AdminTokens(AdminConfig config) {
        List<Entry> all = new ArrayList<>();
        Map<String, String> seen = new TreeMap<>(); // hex hash -> the property that set it
        config.token().filter(t -> !t.isBlank()).ifPresent(token -> {
            if (config.tokens().containsKey(LEGACY_NAME)) {
                throw new IllegalStateException("courier.admin.tokens." + LEGACY_NAME + " and courier.admin.token "
                        + "(COURIER_ADMIN_TOKEN) both name a token '" + LEGACY_NAME + "': keep one of them");
            }
            byte[] hash = sha256(token);
            seen.put(HexFormat.of().formatHex(hash), "courier.admin.token");
            all.add(new Entry(LEGACY_NAME, hash, AdminRole.ADMIN));
        });
        new TreeMap<>(config.tokens()).forEach((name, token) -> {
            String property = "courier.admin.tokens." + name + ".hash";
            if (!HEX_SHA256.matcher(token.hash()).matches()) {
                throw new IllegalStateException(property + " must be the hex SHA-256 of the token (64 hex digits, "
                        + "printf %s \"$TOKEN\" | sha256sum), got " + token.hash().length() + " characters");
            }
            String previous = seen.putIfAbsent(token.hash().toLowerCase(Locale.ROOT), property);
            if (previous != null) {
                throw new IllegalStateException(property + " is the same token as " + previous
                        + ": each token needs its own name, or the audit cannot tell who called");
            }
            all.add(new Entry(name, HexFormat.of().parseHex(token.hash()), token.role()));
        });
        this.entries = List.copyOf(all);
    }

    /** The caller a presented token belongs to, if any. */
    public Optional<Caller> identify(String presented) {
        byte[] hash = sha256(presented);
        Entry match = null;
        for (Entry e : entries) { // every entry, match or not: no early exit
            if (MessageDigest.isEqual(hash, e.hash())) {
                match = e;
            }
        }
        return Optional.ofNullable(match).map(e -> new Caller(e.name(), e.role()));
    }

    /** True when no token is configured: the admin API then refuses every call (CONTRACT §2). */
    public boolean none() {
        return entries.isEmpty();
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
