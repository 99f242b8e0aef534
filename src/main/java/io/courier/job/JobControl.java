package io.courier.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.platform.DatabaseException;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The one durable record a job is checked against just before it runs (issue #19): whether it was cancelled (an
 * outcome row with status CANCELLED, so a cancel and a success of the same job cannot both be recorded) and the
 * newest version (createdAt) seen while it waited (table job_version). Records in the retry tiers cannot be taken
 * back, so instead of disarming them every record asks here when it comes due; what ends a cancelled or replaced
 * job is that question, not a timer.
 */
@ApplicationScoped
public class JobControl {

    private static final Logger LOG = Logger.getLogger(JobControl.class);
    /** Longer than anyone schedules ahead; a version row left by a job that ended without an outcome goes then. */
    private static final Duration VERSION_KEPT = Duration.ofDays(400);

    /**
     * The newest version of a job seen waiting, as a sub-select other packages may embed in one round trip (two
     * parameters: the account id, then the job id); null when none waited.
     */
    public static final String NEWEST_VERSION = "select created_at from job_version where account_id = ? and job_id = ?";

    /**
     * A job's version: its createdAt to the microsecond, as PostgreSQL keeps it (a nanosecond createdAt would be
     * rounded there and could then look newer than itself).
     */
    public static Instant versionOf(JobEnvelope job) {
        return job.createdAt().truncatedTo(ChronoUnit.MICROS);
    }

    /** Why a job that was about to run must not: a cancel, or a newer version of it. */
    public sealed interface Stop {
        record Cancelled() implements Stop {}

        record Replaced(Instant by) implements Stop {}
    }

    /**
     * Why a job waits and when its record comes back (null when only an event ends the wait: parked, paused), shown
     * by the console's jobs view; {@code attempts} and the last failure's class and message are a retried job's.
     */
    public record Wait(Reason reason, int attempts, String errorClass, String lastError, Instant dueAt) {
        public enum Reason {
            RETRY, SCHEDULED, PAUSED, PARKED, RUNNING
        }

        /** Longest last-error message kept (the column's width); the dead letter keeps a failure whole. */
        static final int LAST_ERROR_KEPT = 300;

        public static Wait of(Reason reason, int attempts, Instant dueAt) {
            return new Wait(reason, attempts, null, null, dueAt);
        }

        public static Wait retry(int attempts, String errorClass, String lastError, Instant dueAt) {
            return new Wait(Reason.RETRY, attempts, errorClass,
                    lastError == null || lastError.length() <= LAST_ERROR_KEPT
                            ? lastError
                            : lastError.substring(0, LAST_ERROR_KEPT),
                    dueAt);
        }
    }

    /** What a cancel found: {@code cancelled} (now or before) or not (it ran), and the job's result event. */
    public record CancelAnswer(boolean cancelled, String resultJson) {}

    private final DataSource db;
    private final ObjectMapper json;
    private final Clock clock;

    JobControl(DataSource db, ObjectMapper json, Clock clock) {
        this.db = db;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Puts a job's version on record because it is going to wait (scheduled, delayed, paused, parked), or because an
     * older version of it waits: from then on a record of an older version ends without running. The same row says
     * why it waits.
     */
    public void register(JobEnvelope job, Wait wait) {
        try (Connection c = db.getConnection();
                PreparedStatement upsert = c.prepareStatement("""
                insert into job_version (account_id, job_id, created_at, job_type, seen_at,
                    waits_for, attempts, error_class, last_error, due_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (account_id, job_id) do update
                    set created_at = greatest(job_version.created_at, excluded.created_at),
                        seen_at = excluded.seen_at,
                        -- the wait is the newest version's: an older record seen later (it ends) leaves it alone
                        waits_for = case when newer then excluded.waits_for else job_version.waits_for end,
                        attempts = case when newer then excluded.attempts else job_version.attempts end,
                        error_class = case when newer then excluded.error_class else job_version.error_class end,
                        last_error = case when newer then excluded.last_error else job_version.last_error end,
                        due_at = case when newer then excluded.due_at else job_version.due_at end"""
                        .replace("newer", "excluded.created_at >= job_version.created_at"))) {
            upsert.setString(1, job.accountId());
            upsert.setString(2, job.jobId());
            upsert.setTimestamp(3, Timestamp.from(versionOf(job)));
            upsert.setString(4, job.type().wireName());
            upsert.setTimestamp(5, Timestamp.from(clock.instant()));
            upsert.setString(6, wait.reason().name());
            upsert.setInt(7, wait.attempts());
            upsert.setString(8, wait.errorClass());
            upsert.setString(9, wait.lastError());
            upsert.setTimestamp(10, wait.dueAt() == null ? null : Timestamp.from(wait.dueAt()));
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("recording the version of job " + job.jobId(), e);
        }
    }

    /**
     * Whether the job may still run, asked again just before its publishing call when its run took long (media
     * uploads): empty when it may, else what stopped it.
     */
    public Optional<Stop> stoppedBy(JobEnvelope job) {
        try (Connection c = db.getConnection();
                PreparedStatement select = c.prepareStatement(
                        "select (" + OutcomeStore.EARLIER_STATUS + "), (" + NEWEST_VERSION + ")")) {
            select.setString(1, job.accountId());
            select.setString(2, job.jobId());
            select.setString(3, job.accountId());
            select.setString(4, job.jobId());
            try (ResultSet row = select.executeQuery()) {
                row.next();
                if (ResultEvent.Status.CANCELLED.name().equals(row.getString(1))) {
                    return Optional.of(new Stop.Cancelled());
                }
                Timestamp newest = row.getTimestamp(2);
                return newest != null && newest.toInstant().isAfter(versionOf(job))
                        ? Optional.of(new Stop.Replaced(newest.toInstant()))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DatabaseException("checking job " + job.jobId() + " for a cancel or a newer version", e);
        }
    }

    /**
     * Cancels the account's job unless it already has an outcome: records CANCELLED as its outcome and drops its
     * parked copies and its place in its account's lane (worker.AccountLanes), in one statement. A job that succeeded
     * answers its result (not cancelled); a job cancelled
     * before answers that cancel's result again, so a cancel can be retried. A job never seen is cancelled too (its
     * record may still be on its way, on another topic).
     */
    public CancelAnswer cancel(String accountId, String jobId) {
        Instant now = clock.instant();
        try (Connection c = db.getConnection()) {
            String type = typeOf(c, accountId, jobId);
            String result = toJson(ResultEvent.cancelled(jobId, type, accountId, now));
            try (PreparedStatement cancel = c.prepareStatement("""
                    with inserted as (
                        insert into job_outcome (job_id, job_type, account_id, status, result, finished_at)
                        values (?, ?, ?, 'CANCELLED', ?, ?)
                        on conflict (account_id, job_id) do nothing
                        returning result),
                    unparked as (
                        delete from parked_job where account_id = ? and job_id = ? and exists (select 1 from inserted)
                        returning seq),
                    unlaned as (
                        delete from account_lane where account_id = ? and job_id = ?
                            and exists (select 1 from inserted))
                    select (select result from inserted),
                        (select status from job_outcome where account_id = ? and job_id = ?),
                        (select result from job_outcome where account_id = ? and job_id = ?),
                        (select count(*) from unparked)""")) {
                cancel.setString(1, jobId);
                cancel.setString(2, type == null ? "unknown" : type);
                cancel.setString(3, accountId);
                cancel.setString(4, result);
                cancel.setTimestamp(5, Timestamp.from(now));
                for (int i = 6; i <= 13; i += 2) {
                    cancel.setString(i, accountId);
                    cancel.setString(i + 1, jobId);
                }
                try (ResultSet row = cancel.executeQuery()) {
                    row.next();
                    if (row.getString(1) != null) {
                        LOG.infof("job cancelled jobId=%s accountId=%s parkedCopiesDropped=%d", jobId, accountId,
                                row.getLong(4)); // its place in its account's lane goes too: the next job runs
                        return new CancelAnswer(true, result);
                    }
                    // The statement's snapshot predates a concurrent insert: the outcome sub-selects then see nothing.
                    String status = row.getString(2);
                    String existing = row.getString(3);
                    if (existing == null) {
                        throw new DatabaseException("cancelling job " + jobId + ": its outcome was recorded meanwhile",
                                new SQLException("concurrent outcome"));
                    }
                    return new CancelAnswer(ResultEvent.Status.CANCELLED.name().equals(status), existing);
                }
            }
        } catch (SQLException e) {
            throw new DatabaseException("cancelling job " + jobId, e);
        }
    }

    /** Daily: version rows of jobs that ended with an outcome, and rows far older than anyone schedules ahead. */
    @Scheduled(every = "24h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void sweep() {
        try (Connection c = db.getConnection(); PreparedStatement delete = c.prepareStatement("""
                delete from job_version v where seen_at < ? or exists (select 1 from job_outcome o
                    where o.account_id = v.account_id and o.job_id = v.job_id)""")) {
            delete.setTimestamp(1, Timestamp.from(clock.instant().minus(VERSION_KEPT)));
            int rows = delete.executeUpdate();
            if (rows > 0) {
                LOG.infof("versions of ended jobs deleted rows=%d", rows);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("job version sweep skipped cause=%s", e.getMessage());
        }
    }

    /** The type a waiting version or a parked copy of the job had; null when none was seen. */
    private static String typeOf(Connection c, String accountId, String jobId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("""
                select coalesce((select job_type from job_version where account_id = ? and job_id = ?),
                    (select job_type from parked_job where account_id = ? and job_id = ? limit 1))""")) {
            select.setString(1, accountId);
            select.setString(2, jobId);
            select.setString(3, accountId);
            select.setString(4, jobId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }

    private String toJson(ResultEvent event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("result event of job " + event.jobId() + " is not serializable", e);
        }
    }
}
