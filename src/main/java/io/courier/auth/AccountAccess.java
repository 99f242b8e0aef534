package io.courier.auth;

import io.courier.auth.TokenStore.AccessGrant;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * What a job may do for its account before it calls LinkedIn, read without knowing auth's tables: {@link #SELECT}
 * is a sub-select the worker joins to its idempotency lookup, so a job still costs one PostgreSQL round trip
 * (BENCHMARKS.md), and {@link #read} turns its columns into an {@link Access}, the decryption staying with
 * {@link TokenStore}.
 */
@ApplicationScoped
public class AccountAccess {

    /** The account waits for re-authorization, or its jobs call with this grant (empty: unknown account). */
    public record Access(boolean reauthRequired, Optional<AccessGrant> grant) {}

    /**
     * One account's status and sealed access token, by one parameter: the account id. No row when the account is
     * unknown; its column names start with {@code access_}, so that a join does not clash with the caller's.
     */
    public static final String SELECT = """
            select a.status access_status, t.key_id access_key_id, t.access_token access_sealed,
                t.access_token_expires_at access_expires_at, t.version access_version,
                t.refresh_token is not null access_refreshable
            from account a left join account_token t on t.account_id = a.id
            where a.id = ?""";

    /** The connected accounts' ids (their parked jobs may go back), a sub-select without parameters. */
    public static final String CONNECTED_IDS = "select id from account where status = 'CONNECTED'";

    /** Why the account whose id is in {@code accountIdColumn} is not connected (null if none), a scalar sub-select. */
    public static String statusReasonOf(String accountIdColumn) {
        return "(select status_reason from account where id = " + accountIdColumn + ")";
    }

    private final TokenStore tokens;

    AccountAccess(TokenStore tokens) {
        this.tokens = tokens;
    }

    /** The access of {@code accountId} from a row holding {@link #SELECT}'s columns (all null: unknown account). */
    public Access read(String accountId, ResultSet row) throws SQLException {
        boolean reauthRequired = Account.Status.REAUTH_REQUIRED.name().equals(row.getString("access_status"));
        byte[] sealed = row.getBytes("access_sealed");
        if (sealed == null || reauthRequired) {
            return new Access(reauthRequired, Optional.empty());
        }
        Optional<AccessGrant> grant = tokens.openAccessGrant(accountId, row.getString("access_key_id"), sealed,
                row.getTimestamp("access_expires_at").toInstant(), row.getBoolean("access_refreshable"),
                row.getLong("access_version"));
        // No configured key opens the token: the store marked the account REAUTH_REQUIRED, so the job parks.
        return new Access(grant.isEmpty(), grant);
    }
}
