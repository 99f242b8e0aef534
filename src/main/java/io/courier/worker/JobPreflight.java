package io.courier.worker;

import io.courier.auth.TokenStore;
import io.courier.auth.TokenStore.AccessGrant;
import io.courier.platform.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * What a job needs to know before it may call LinkedIn, read in one PostgreSQL round trip: whether it already
 * succeeded (idempotency) and the account's access token. Two lookups per job were a measurable share of the
 * worker's cost in the end-to-end benchmark (BENCHMARKS.md); the decryption stays with {@link TokenStore}.
 */
@ApplicationScoped
class JobPreflight {

    /**
     * An earlier success's result JSON; otherwise whether the account waits for re-authorization, and its grant
     * (empty when the account is unknown).
     */
    record Preflight(Optional<String> earlierResult, boolean reauthRequired, Optional<AccessGrant> grant) {}

    private static final String SQL = """
            select o.result, a.status, t.key_id, t.access_token, t.access_token_expires_at, t.version,
                t.refresh_token is not null
            from (select 1) one
            left join job_outcome o on o.account_id = ? and o.job_id = ?
            left join account a on a.id = ?
            left join account_token t on t.account_id = a.id""";

    private final DataSource db;
    private final TokenStore tokens;

    JobPreflight(DataSource db, TokenStore tokens) {
        this.db = db;
        this.tokens = tokens;
    }

    Preflight read(String jobId, String accountId) {
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement(SQL)) {
            select.setString(1, accountId);
            select.setString(2, jobId);
            select.setString(3, accountId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                String earlier = row.getString(1);
                if (earlier != null) {
                    return new Preflight(Optional.of(earlier), false, Optional.empty());
                }
                boolean reauthRequired = "REAUTH_REQUIRED".equals(row.getString(2));
                byte[] sealed = row.getBytes(4);
                if (sealed == null || reauthRequired) {
                    return new Preflight(Optional.empty(), reauthRequired, Optional.empty());
                }
                Optional<AccessGrant> grant = tokens.openAccessGrant(accountId, row.getString(3), sealed,
                        row.getTimestamp(5).toInstant(), row.getBoolean(7), row.getLong(6));
                // No configured key opens the token: the store marked the account REAUTH_REQUIRED, so the job parks.
                return new Preflight(Optional.empty(), grant.isEmpty(), grant);
            }
        } catch (SQLException e) {
            throw new DatabaseException("reading job " + jobId + " and the token of account " + accountId, e);
        }
    }
}
