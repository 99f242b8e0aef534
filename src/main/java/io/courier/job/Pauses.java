package io.courier.job;

import io.courier.platform.DatabaseException;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Accounts and job types an operator paused (table job_pause). A paused job is not run: it waits in the retry
 * tiers and looks again every courier.worker.pause-recheck, so nothing is dropped and a resume needs no release
 * step. Each pod keeps the table in memory, read again every courier.worker.pause-refresh (one small query), so
 * the worker's check costs nothing and every pod sees a pause within that time; while PostgreSQL does not answer,
 * the last copy read stays in force.
 */
@ApplicationScoped
public class Pauses {

    private static final Logger LOG = Logger.getLogger(Pauses.class);

    public enum Scope {
        ACCOUNT("account"), JOB_TYPE("job-type");

        public final String column;

        Scope(String column) {
            this.column = column;
        }

        /** As the API writes it: the word of the path and the table, "account" or "job-type". */
        @com.fasterxml.jackson.annotation.JsonValue
        public String column() {
            return column;
        }

        static Scope of(String column) {
            return column.equals(ACCOUNT.column) ? ACCOUNT : JOB_TYPE;
        }
    }

    public record Pause(Scope scope, String value, Instant pausedAt, String pausedBy) {}

    private record Snapshot(Set<String> accounts, Set<String> types) {}

    private final DataSource db;
    private final Clock clock;
    private volatile Snapshot paused = new Snapshot(Set.of(), Set.of());
    private volatile boolean readFailed;
    private volatile boolean loaded;

    Pauses(DataSource db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Whether the job's account or its type is paused on this pod's latest copy. Until the pauses have been read
     * once (a pod that started while PostgreSQL was down), every job is held: a pause must not fail open.
     */
    public boolean holds(JobEnvelope job) {
        if (!loaded) {
            refresh();
            if (!loaded) {
                return true;
            }
        }
        Snapshot now = paused;
        return !now.accounts().isEmpty() && now.accounts().contains(job.accountId())
                || !now.types().isEmpty() && now.types().contains(job.type().wireName());
    }

    /** Pauses; true when it was not paused already. Seen by this pod at once, by the others within the refresh. */
    public boolean pause(Scope scope, String value, String by) {
        boolean added = update("insert into job_pause (scope, value, paused_at, paused_by) values (?, ?, ?, ?)"
                + " on conflict do nothing", scope, value, by) == 1;
        refresh();
        return added;
    }

    /** Resumes; true when it was paused. */
    public boolean resume(Scope scope, String value) {
        boolean removed = update("delete from job_pause where scope = ? and value = ?", scope, value, null) == 1;
        refresh();
        return removed;
    }

    public List<Pause> list() {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "select scope, value, paused_at, paused_by from job_pause order by paused_at, scope, value");
                ResultSet rows = q.executeQuery()) {
            List<Pause> out = new ArrayList<>();
            while (rows.next()) {
                out.add(new Pause(Scope.of(rows.getString(1)), rows.getString(2), rows.getTimestamp(3).toInstant(),
                        rows.getString(4)));
            }
            return out;
        } catch (SQLException e) {
            throw new DatabaseException("could not read job_pause", e);
        }
    }

    @Scheduled(every = "${courier.worker.pause-refresh}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            Set<String> accounts = new HashSet<>();
            Set<String> types = new HashSet<>();
            for (Pause p : list()) {
                (p.scope() == Scope.ACCOUNT ? accounts : types).add(p.value());
            }
            paused = new Snapshot(Set.copyOf(accounts), Set.copyOf(types));
            loaded = true;
            if (readFailed) {
                LOG.info("job pauses read again");
                readFailed = false;
            }
        } catch (DatabaseException e) {
            if (!readFailed) { // once per outage: readiness reports PostgreSQL already
                LOG.warnf("job pauses could not be read; the last ones read stay in force: %s", e.getMessage());
                readFailed = true;
            }
        }
    }

    private int update(String sql, Scope scope, String value, String by) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, scope.column);
            s.setString(2, value);
            if (by != null) {
                s.setTimestamp(3, Timestamp.from(clock.instant()));
                s.setString(4, by);
            }
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("could not change job_pause", e);
        }
    }
}
