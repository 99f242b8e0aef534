package io.courier.job;

import io.courier.platform.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The idempotency record: one row per (account, job id) that succeeded, holding the result event exactly as
 * published, whole even when it went out in parts (ResultPublisher splits it the same way each time it is sent).
 * A job seen again (redelivery, a producer retry, a replay) is not run; its stored result is re-emitted.
 *
 * <p>Plain JDBC in autocommit, not a Hibernate session in a JTA transaction: this runs twice per job, and the
 * session and transaction set-up were a large share of the worker's CPU in the end-to-end benchmark
 * (figures in BENCHMARKS.md). Each statement is atomic on its own, which is all this table needs.
 */
@ApplicationScoped
public class OutcomeStore {

    /**
     * A job's earlier success, as a sub-select other packages may embed in one round trip (two parameters: the
     * account id, then the job id); null when there is none.
     */
    public static final String EARLIER_RESULT = "select result from job_outcome where account_id = ? and job_id = ?";

    private final DataSource db;

    OutcomeStore(DataSource db) {
        this.db = db;
    }

    /** The result JSON of an earlier success of this account's job, if there was one. */
    public Optional<String> succeededResult(String accountId, String jobId) {
        try (Connection c = db.getConnection();
                PreparedStatement select = c.prepareStatement(EARLIER_RESULT)) {
            select.setString(1, accountId);
            select.setString(2, jobId);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DatabaseException("reading the outcome of job " + jobId, e);
        }
    }

    /**
     * Records a success. If another worker recorded this job first (a rebalance moved it mid-run), that
     * result wins and is returned, so both publish the same event.
     */
    public String recordSuccess(ResultEvent event, String resultJson) {
        try (Connection c = db.getConnection();
                PreparedStatement insert = c.prepareStatement("""
                     insert into job_outcome (job_id, job_type, account_id, status, result, finished_at)
                     values (?, ?, ?, ?, ?, ?) on conflict (account_id, job_id) do nothing""")) {
            insert.setString(1, event.jobId());
            insert.setString(2, event.type());
            insert.setString(3, event.accountId());
            insert.setString(4, event.status().name());
            insert.setString(5, resultJson);
            insert.setTimestamp(6, Timestamp.from(event.finishedAt()));
            if (insert.executeUpdate() == 1) {
                return resultJson;
            }
        } catch (SQLException e) {
            throw new DatabaseException("recording the outcome of job " + event.jobId(), e);
        }
        return succeededResult(event.accountId(), event.jobId()).orElse(resultJson);
    }
}
