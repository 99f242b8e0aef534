package io.courier.auth;

import io.courier.job.JobType;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a grant from the OAuth callback may replace what an account has (issue #15 point 2): it must be the
 * account's own member, unless the link allowed a rebind, and it must not narrow the scopes the account's jobs use.
 * Pure: TokenStore runs it on the locked account row.
 */
final class ConnectCheck {

    /** Why a grant was not stored. The account keeps its working grant. */
    sealed interface Refusal {
        /** Another LinkedIn member signed in. */
        record MemberMismatch(String stored, String granted) implements Refusal {}

        /**
         * LinkedIn did not say who signed in (userinfo failed, or an odd sub). Refused even for an account without a
         * member or on a rebind link: stored without its member, the account would be bound by whoever connects next.
         */
        record MemberUnknown() implements Refusal {}

        /** The grant lacks scopes Courier asked for: those the configuration names or the account held for its jobs. */
        record ScopesMissing(List<String> missing) implements Refusal {}
    }

    /**
     * The scopes each job type's LinkedIn calls can need (linkedin-api.md §5; the simulator checks the same): a
     * scope an account holds for one of them is one its jobs may rely on.
     */
    static final Map<JobType, Set<String>> JOB_SCOPES = jobScopes();

    private ConnectCheck() {}

    private static Map<JobType, Set<String>> jobScopes() {
        Map<JobType, Set<String>> m = new EnumMap<>(JobType.class);
        m.put(JobType.POST_CREATE, Set.of("w_member_social", "w_organization_social"));
        m.put(JobType.COMMENT_CREATE, Set.of("w_member_social", "w_organization_social"));
        m.put(JobType.SYNC_PROFILE, Set.of("openid", "profile", "email"));
        m.put(JobType.SYNC_POST_ANALYTICS, Set.of("r_member_postAnalytics"));
        m.put(JobType.SYNC_POSTS, Set.of("w_member_social", "r_organization_social"));
        m.put(JobType.SYNC_ORG_SHARE_STATS, Set.of("r_organization_social", "rw_organization_admin"));
        m.put(JobType.SYNC_ORG_ACLS, Set.of("rw_organization_admin", "r_organization_social"));
        return Map.copyOf(m);
    }

    /** What a connect asks LinkedIn for: the configured scopes, then those the account holds that jobs use. */
    static List<String> scopesToAsk(List<String> configured, Collection<String> held) {
        Set<String> ask = new LinkedHashSet<>(configured);
        held.stream().filter(s -> JOB_SCOPES.values().stream().anyMatch(set -> set.contains(s))).sorted()
                .forEach(ask::add);
        return List.copyOf(ask);
    }

    static Optional<Refusal> check(Optional<String> storedMember, Collection<String> held,
            Optional<String> grantedMember,
            Collection<String> granted, boolean allowRebind, List<String> configured) {
        if (grantedMember.isEmpty()) {
            return Optional.of(new Refusal.MemberUnknown());
        }
        if (storedMember.isPresent() && !allowRebind) {
            if (!grantedMember.get().equals(storedMember.get())) {
                return Optional.of(new Refusal.MemberMismatch(storedMember.get(), grantedMember.get()));
            }
        }
        List<String> missing = scopesToAsk(configured, held).stream().filter(s -> !granted.contains(s)).toList();
        return missing.isEmpty() ? Optional.empty() : Optional.of(new Refusal.ScopesMissing(missing));
    }
}
