package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.testkit.AdminCallers;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Named admin tokens from configuration: who a token is, and start-up errors that name the property. */
class AdminTokensTest {

    private static final String ALICE = "alice-secret-token";

    @Test
    void aTokenIsKnownByItsConfiguredNameAndRole() {
        AdminTokens tokens = tokens(Map.of("courier.admin.tokens.alice.hash", AdminCallers.sha256(ALICE),
                "courier.admin.tokens.alice.role", "operator",
                "courier.admin.tokens.bob.hash", AdminCallers.sha256("bob-token").toUpperCase(),
                "courier.admin.tokens.bob.role", "viewer"));
        assertThat(tokens.identify(ALICE)).contains(new AdminTokens.Caller("alice", AdminRole.OPERATOR));
        assertThat(tokens.identify("bob-token")).contains(new AdminTokens.Caller("bob", AdminRole.VIEWER));
        assertThat(tokens.identify(ALICE + "x")).isEmpty();
        assertThat(tokens.identify(AdminCallers.sha256(ALICE))).as("the hash is not the token").isEmpty();
        assertThat(tokens.identify("")).isEmpty();
    }

    @Test
    void namedTokensCanComeFromEnvironmentVariables() {
        AdminConfig config = new SmallRyeConfigBuilder().withMapping(AdminConfig.class)
                .withSources(new EnvConfigSource(Map.of("COURIER_ADMIN_TOKENS_ALICE_HASH", AdminCallers.sha256(ALICE),
                        "COURIER_ADMIN_TOKENS_ALICE_ROLE", "operator"), 300))
                .build().getConfigMapping(AdminConfig.class);
        assertThat(new AdminTokens(config).identify(ALICE))
                .contains(new AdminTokens.Caller("alice", AdminRole.OPERATOR));
    }

    @Test
    void theOldSingleTokenIsAnAdminNamedAdmin() {
        AdminTokens tokens = tokens(Map.of("courier.admin.token", "legacy-token"));
        assertThat(tokens.identify("legacy-token")).contains(new AdminTokens.Caller("admin", AdminRole.ADMIN));
        assertThat(tokens.none()).isFalse();
        assertThat(tokens(Map.of()).none()).isTrue();
    }

    @Test
    void rolesIncludeTheOnesBelowThem() {
        assertThat(AdminRole.VIEWER.grants()).containsExactly("viewer");
        assertThat(AdminRole.OPERATOR.grants()).containsExactlyInAnyOrder("viewer", "operator");
        assertThat(AdminRole.ADMIN.grants()).containsExactlyInAnyOrder("viewer", "operator", "admin");
    }

    @Test
    void anUnknownRoleFailsTheStartNamingTheProperty() {
        assertThatThrownBy(() -> tokens(Map.of("courier.admin.tokens.carol.hash", AdminCallers.sha256("c"),
                "courier.admin.tokens.carol.role", "root")))
                .hasMessageContaining("courier.admin.tokens.carol.role").hasMessageContaining("root");
    }

    @Test
    void aHashThatIsNot64HexDigitsFailsTheStartNamingTheProperty() {
        for (String bad : new String[] {"abc", AdminCallers.sha256("x") + "0", "z".repeat(64),
                "plain-token-not-a-hash"}) {
            assertThatThrownBy(() -> tokens(
                    Map.of("courier.admin.tokens.dave.hash", bad, "courier.admin.tokens.dave.role", "admin")))
                    .as(bad).hasMessageContaining("courier.admin.tokens.dave.hash")
                    .hasMessageContaining("64 hex digits")
                    .hasMessageNotContaining(bad);
        }
    }

    @Test
    void aMissingRoleOrHashFailsTheStartNamingTheProperty() {
        assertThatThrownBy(() -> tokens(Map.of("courier.admin.tokens.erin.hash", AdminCallers.sha256("e"))))
                .hasMessageContaining("courier.admin.tokens.erin.role");
        assertThatThrownBy(() -> tokens(Map.of("courier.admin.tokens.erin.role", "viewer")))
                .hasMessageContaining("courier.admin.tokens.erin.hash");
    }

    @Test
    void oneTokenUnderTwoNamesOrTwoAdminsNamedAdminFailTheStart() {
        assertThatThrownBy(() -> tokens(Map.of("courier.admin.tokens.a.hash", AdminCallers.sha256(ALICE),
                "courier.admin.tokens.a.role", "viewer", "courier.admin.tokens.b.hash", AdminCallers.sha256(ALICE),
                "courier.admin.tokens.b.role", "admin")))
                .hasMessageContaining("courier.admin.tokens.b.hash")
                .hasMessageContaining("courier.admin.tokens.a.hash");
        assertThatThrownBy(() -> tokens(Map.of("courier.admin.token", "legacy",
                "courier.admin.tokens.admin.hash", AdminCallers.sha256("other"), "courier.admin.tokens.admin.role",
                "admin")))
                .hasMessageContaining("courier.admin.tokens.admin").hasMessageContaining("COURIER_ADMIN_TOKEN");
    }

    private static AdminTokens tokens(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        AdminConfig config = new SmallRyeConfigBuilder().withMapping(AdminConfig.class)
                .withSources(new PropertiesConfigSource(all, "test", 500)).build().getConfigMapping(AdminConfig.class);
        return new AdminTokens(config);
    }
}
