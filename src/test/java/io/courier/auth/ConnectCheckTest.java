package io.courier.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.auth.ConnectCheck.Refusal;
import io.courier.job.JobType;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which grants a callback may store (pure). */
class ConnectCheckTest {

    private static final List<String> CONFIGURED = List.of("openid", "profile", "email", "w_member_social");
    private static final String ME = "urn:li:person:me";
    private static final String STRANGER = "urn:li:person:stranger";

    @ParameterizedTest
    @EnumSource(JobType.class)
    void everyJobTypeNamesTheScopesItsCallsNeed(JobType type) {
        assertThat(ConnectCheck.JOB_SCOPES.get(type)).isNotEmpty();
    }

    @Test
    void aReconnectAsksForTheConfiguredScopesAndThoseTheAccountHoldsForJobs() {
        assertThat(ConnectCheck.scopesToAsk(CONFIGURED, List.of("w_organization_social", "r_liteprofile", "openid")))
                .containsExactly("openid", "profile", "email", "w_member_social", "w_organization_social");
    }

    @Test
    void theSameMemberWithEveryScopeIsStored() {
        assertThat(ConnectCheck.check(Optional.of(ME), CONFIGURED, Optional.of(ME), CONFIGURED, false, CONFIGURED))
                .isEmpty();
    }

    @Test
    void anotherMemberIsRefusedUnlessTheLinkAllowsARebind() {
        assertThat(
                ConnectCheck.check(Optional.of(ME), CONFIGURED, Optional.of(STRANGER), CONFIGURED, false, CONFIGURED))
                .contains(new Refusal.MemberMismatch(ME, STRANGER));
        assertThat(ConnectCheck.check(Optional.of(ME), CONFIGURED, Optional.of(STRANGER), CONFIGURED, true, CONFIGURED))
                .isEmpty();
    }

    @Test
    void anUnknownMemberIsAlwaysRefusedAndAKnownOneBindsAnAccountWithout() {
        assertThat(ConnectCheck.check(Optional.of(ME), CONFIGURED, Optional.empty(), CONFIGURED, false, CONFIGURED))
                .contains(new Refusal.MemberUnknown());
        // Stored without a member, the account would be bound by whoever connects next (review of #15).
        assertThat(ConnectCheck.check(Optional.empty(), List.of(), Optional.empty(), CONFIGURED, false, CONFIGURED))
                .contains(new Refusal.MemberUnknown());
        assertThat(ConnectCheck.check(Optional.of(ME), CONFIGURED, Optional.empty(), CONFIGURED, true, CONFIGURED))
                .as("a rebind link too").contains(new Refusal.MemberUnknown());
        assertThat(
                ConnectCheck.check(Optional.empty(), List.of(), Optional.of(STRANGER), CONFIGURED, false, CONFIGURED))
                .isEmpty();
    }

    @Test
    void aNarrowerGrantIsRefusedNamingWhatIsMissing() {
        List<String> held = List.of("openid", "profile", "email", "w_member_social", "rw_organization_admin");
        assertThat(ConnectCheck.check(Optional.of(ME), held, Optional.of(ME), List.of("openid", "profile", "email"),
                false, CONFIGURED))
                .contains(new Refusal.ScopesMissing(List.of("w_member_social", "rw_organization_admin")));
    }
}
