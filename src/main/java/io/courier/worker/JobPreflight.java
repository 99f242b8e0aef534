package io.courier.worker;

import io.courier.auth.AccountAccess;
import io.courier.auth.TokenStore.AccessGrant;
import io.courier.job.JobControl;
import io.courier.job.OutcomeStore;
import io.courier.job.ResultEvent;
import io.courier.platform.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * What a job needs to know before it may call LinkedIn, read in one PostgreSQL round trip: whether it already
 * succeeded or was cancelled (idempotency), the newest version of it seen waiting, and the account's access token.
 * Two lookups per job were a measurable share of the worker's cost in the end-to-end benchmark (BENCHMARKS.md).
 * Each part is its package's: the outcome and the version job's ({@link OutcomeStore#EARLIER_RESULT},
 * {@link JobControl#NEWEST_VERSION}), the account auth's ({@link AccountAccess}).
 */
@ApplicationScoped
class JobPreflight {

    /**
     * An earlier outcome's result JSON and whether it was a cancel; otherwise the newest version seen waiting,
     * whether the account waits for re-authorization, and its grant (empty when the account is unknown).
     */
    record Preflight(Optional<String> earlierResult, boolean cancelled, Optional<Instant> newestVersion,
            boolean inLane, Optional<AccountLanes.Head> laneHead, boolean reauthRequired,
            Optional<AccessGrant> grant) {}

    // The earlier outcome and newest version (job's sub-selects: account id, job id each), the account's lane on the
    // topic (AccountLanes': account id, topic, job id; account id, topic) and the account's access (auth's: account
    // id).
    private static final String SQL = """
            select (%s) as result, (%s) as status, (%s) as newest_version, exists(%s) as in_lane,
                head.job_id as lane_head, head.due_at as lane_head_due, acc.*
            from (select 1) one
            left join lateral (%s) head on true
            left join (%s) acc on true""".formatted(OutcomeStore.EARLIER_RESULT, OutcomeStore.EARLIER_STATUS,
            JobControl.NEWEST_VERSION, AccountLanes.MEMBER, AccountLanes.HEAD, AccountAccess.SELECT);

    private final DataSource db;
    private final AccountAccess accounts;

    JobPreflight(DataSource db, AccountAccess accounts) {
        this.db = db;
        this.accounts = accounts;
    }

    /** {@code topic}: the job topic the job came from (its lane is the account's on that topic). */
    Preflight read(String jobId, String accountId, String topic) {
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement(SQL)) {
            for (int i = 1; i <= 6; i += 2) {
                select.setString(i, accountId);
                select.setString(i + 1, jobId);
            }
            select.setString(7, accountId);
            select.setString(8, topic);
            select.setString(9, jobId);
            select.setString(10, accountId);
            select.setString(11, topic);
            select.setString(12, accountId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                boolean inLane = row.getBoolean("in_lane");
                String earlier = row.getString("result");
                if (earlier != null) {
                    return new Preflight(Optional.of(earlier),
                            ResultEvent.Status.CANCELLED.name().equals(row.getString("status")), Optional.empty(),
                            inLane, Optional.empty(), false, Optional.empty());
                }
                Optional<Instant> newest = Optional.ofNullable(row.getTimestamp("newest_version"))
                        .map(Timestamp::toInstant);
                Optional<Instant> headDue = Optional.ofNullable(row.getTimestamp("lane_head_due"))
                        .map(Timestamp::toInstant);
                Optional<AccountLanes.Head> head = Optional.ofNullable(row.getString("lane_head"))
                        .map(id -> new AccountLanes.Head(id, headDue));
                AccountAccess.Access access = accounts.read(accountId, row);
                return new Preflight(Optional.empty(), false, newest, inLane, head, access.reauthRequired(),
                        access.grant());
            }
        } catch (SQLException e) {
            throw new DatabaseException("reading job " + jobId + " and the token of account " + accountId, e);
        }
    }
}
