package io.courier.worker;

import io.courier.auth.AccountAccess;
import io.courier.auth.TokenStore.AccessGrant;
import io.courier.job.OutcomeStore;
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
 * worker's cost in the end-to-end benchmark (BENCHMARKS.md). Each part is its package's: the outcome job's
 * ({@link OutcomeStore#EARLIER_RESULT}), the account auth's ({@link AccountAccess}).
 */
@ApplicationScoped
class JobPreflight {

    /**
     * An earlier success's result JSON; otherwise whether the account waits for re-authorization, and its grant
     * (empty when the account is unknown).
     */
    record Preflight(Optional<String> earlierResult, boolean reauthRequired, Optional<AccessGrant> grant) {}

    // The earlier result, if any (job's sub-select: account id, job id) and the account's access (auth's: account id).
    private static final String SQL = """
            select (%s) as result, acc.*
            from (select 1) one
            left join (%s) acc on true""".formatted(OutcomeStore.EARLIER_RESULT, AccountAccess.SELECT);

    private final DataSource db;
    private final AccountAccess accounts;

    JobPreflight(DataSource db, AccountAccess accounts) {
        this.db = db;
        this.accounts = accounts;
    }

    Preflight read(String jobId, String accountId) {
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement(SQL)) {
            select.setString(1, accountId);
            select.setString(2, jobId);
            select.setString(3, accountId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                String earlier = row.getString("result");
                if (earlier != null) {
                    return new Preflight(Optional.of(earlier), false, Optional.empty());
                }
                AccountAccess.Access access = accounts.read(accountId, row);
                return new Preflight(Optional.empty(), access.reauthRequired(), access.grant());
            }
        } catch (SQLException e) {
            throw new DatabaseException("reading job " + jobId + " and the token of account " + accountId, e);
        }
    }
}
