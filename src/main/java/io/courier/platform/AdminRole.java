package io.courier.platform;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an admin token may do. Each role includes the ones before it: a viewer reads (dead letters, accounts, the
 * audit), an operator also replays, discards, cancels and pauses, an admin also imports tokens and mints connect
 * links. Endpoints declare the least role they need with {@code @RolesAllowed(AdminRole.OPERATOR_NAME)}; every
 * other endpoint is denied (quarkus.security.jaxrs.deny-unannotated-endpoints), so a new one cannot ship open.
 */
public enum AdminRole {
    VIEWER, OPERATOR, ADMIN;

    public static final String VIEWER_NAME = "viewer";
    public static final String OPERATOR_NAME = "operator";
    public static final String ADMIN_NAME = "admin";

    /** The role as configured and as @RolesAllowed names it: viewer, operator, admin. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** This role and every role it includes, as the caller's security roles. */
    Set<String> grants() {
        return Arrays.stream(values()).filter(r -> r.ordinal() <= ordinal()).map(AdminRole::wireName)
                .collect(Collectors.toUnmodifiableSet());
    }
}
