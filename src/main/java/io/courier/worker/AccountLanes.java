package io.courier.worker;

import io.courier.platform.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Per-account order through retries (courier.worker.ordering=per-account; table account_lane): a job that has to
 * wait joins its account's lane on its topic, the account's later jobs join behind it and wait in the tiers until
 * they are first, and each leaves when it ends. Why a table and not Kafka's own order: a job waiting in a tier is
 * off its partition, so the partition alone cannot keep the account's later jobs behind it without holding every
 * other account of that partition too. The lane is read in the job's preflight round trip ({@link #HEAD},
 * {@link #MEMBER}), so an account with nothing waiting pays one index look-up and no write.
 */
@ApplicationScoped
class AccountLanes {

    private static final Logger LOG = Logger.getLogger(AccountLanes.class);

    /** The lane's first job and when it comes back, as a lateral sub-select (account id, topic). */
    static final String HEAD = "select job_id, due_at from account_lane where account_id = ? and topic = ?"
            + " order by seq limit 1";
    /** Whether the job is in its lane, as a sub-select (account id, topic, job id). */
    static final String MEMBER = "select 1 from account_lane where account_id = ? and topic = ? and job_id = ?";

    /** The lane's first job: {@code dueAt} empty while it is parked or has not waited yet. */
    record Head(String jobId, Optional<Instant> dueAt) {}

    private final DataSource db;
    private final Clock clock;
    private final boolean enabled;

    AccountLanes(DataSource db, WorkerConfig config, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.enabled = config.ordering() == WorkerConfig.Ordering.PER_ACCOUNT;
    }

    boolean enabled() {
        return enabled;
    }

    /** The job waits (until {@code dueAt}, or parked when empty): it takes or keeps its place in the lane. */
    void join(JobRun run, Optional<Instant> dueAt) {
        if (!enabled) {
            return;
        }
        try (Connection c = db.getConnection(); PreparedStatement upsert = c.prepareStatement("""
                insert into account_lane (account_id, topic, job_id, due_at, joined_at) values (?, ?, ?, ?, ?)
                on conflict (account_id, topic, job_id) do update set due_at = excluded.due_at""")) {
            upsert.setString(1, run.job().accountId());
            upsert.setString(2, run.state().originalTopic());
            upsert.setString(3, run.job().jobId());
            upsert.setTimestamp(4, dueAt.map(Timestamp::from).orElse(null));
            upsert.setTimestamp(5, Timestamp.from(clock.instant()));
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("putting job " + run.job().jobId() + " in its account's lane", e);
        }
    }

    /** The job ended (or waits for something that must not hold its account: its own post job). */
    void leave(JobRun run) {
        leave(run.job().accountId(), run.state().originalTopic(), run.job().jobId());
    }

    void leave(String accountId, String topic, String jobId) {
        try (Connection c = db.getConnection();
                PreparedStatement delete = c.prepareStatement(
                        "delete from account_lane where account_id = ? and topic = ? and job_id = ?")) {
            delete.setString(1, accountId);
            delete.setString(2, topic);
            delete.setString(3, jobId);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("taking job " + jobId + " out of its account's lane", e);
        }
    }

    /**
     * Whether the head holds up the lane: not when it should have come back {@code courier.worker.ordering-stale-after}
     * ago and has not (its record was lost to a bug); then it is taken out, so no lane waits forever.
     */
    boolean holds(JobRun waiting, Head head, java.time.Duration staleAfter) {
        Instant now = clock.instant();
        if (head.dueAt().isPresent() && head.dueAt().get().isBefore(now.minus(staleAfter))) {
            LOG.warnf("first job of the account's lane is %s overdue, no longer holding it jobId=%s accountId=%s",
                    java.time.Duration.between(head.dueAt().get(), now), head.jobId(), waiting.job().accountId());
            leave(waiting.job().accountId(), waiting.state().originalTopic(), head.jobId());
            return false;
        }
        return true;
    }
}
