package io.courier.ops;

import io.courier.platform.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Who replayed or discarded what (table dead_letter_audit). The row is written before the action, as 'started',
 * and finished as 'done' or 'failed': if it cannot be written, the action does not happen. Every value is cut to
 * its column, so no name or reason is too long to audit.
 */
@ApplicationScoped
public class AuditTrail {

    /** What an operator did; stored in dead_letter_audit.action as the name. */
    enum Action {
        REPLAY, DISCARD, CANCEL, PAUSE, RESUME
    }

    /** Where an audited action is; stored in dead_letter_audit.state in lower case ('started', 'done', 'failed'). */
    enum State {
        STARTED, DONE, FAILED;

        String column() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final int OPERATOR_WIDTH = 128;
    private static final int ACTION_WIDTH = 16;
    private static final int REASON_WIDTH = 256;
    private static final int FAILURE_WIDTH = 2000;

    private final DataSource db;
    private final Clock clock;

    AuditTrail(DataSource db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Audits the action around running it: started, then done with its report, or failed with the exception. */
    ReplayReport record(Requester by, Action action, DeadLetterFilter filter, boolean dryRun,
            Supplier<ReplayReport> run) {
        return audited(started(by, action, filter.describe(), dryRun), run, report -> report);
    }

    /** Audits an action on one job (a cancel): {@code target} names it where a dead-letter action has its filter. */
    <T> T record(Requester by, Action action, String target, Supplier<T> run) {
        return audited(started(by, action, target, false), run, answer -> null);
    }

    private <T> T audited(long id, Supplier<T> run, java.util.function.Function<T, ReplayReport> report) {
        T answer;
        try {
            answer = run.get();
        } catch (RuntimeException e) {
            failed(id, e);
            throw e;
        }
        finish(id, State.DONE, null, report.apply(answer));
        return answer;
    }

    private long started(Requester by, Action action, String filter, boolean dryRun) {
        try (Connection c = db.getConnection(); PreparedStatement insert = c.prepareStatement("""
                insert into dead_letter_audit (at, operator, action, filter, dry_run, reason, state,
                    matched, replayed, discarded, refused, deferred)
                values (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0)""", Statement.RETURN_GENERATED_KEYS)) {
            insert.setTimestamp(1, Timestamp.from(clock.instant()));
            insert.setString(2, DeadLetterColumns.text(by.name(), OPERATOR_WIDTH));
            insert.setString(3, DeadLetterColumns.text(action.name(), ACTION_WIDTH));
            insert.setString(4, DeadLetterColumns.text(filter));
            insert.setBoolean(5, dryRun);
            insert.setString(6, DeadLetterColumns.text(by.reason().orElse(null), REASON_WIDTH));
            insert.setString(7, State.STARTED.column());
            insert.executeUpdate();
            try (ResultSet key = insert.getGeneratedKeys()) {
                key.next();
                return key.getLong("id");
            }
        } catch (SQLException e) {
            throw new DatabaseException("writing the dead-letter audit", e);
        }
    }

    private void failed(long id, RuntimeException cause) {
        try {
            finish(id, State.FAILED, String.valueOf(cause.getMessage()), null);
        } catch (DatabaseException e) {
            cause.addSuppressed(e); // the row stays 'started': the outcome is unknown, which is what it says
        }
    }

    private void finish(long id, State state, String failure, ReplayReport report) {
        try (Connection c = db.getConnection(); PreparedStatement update = c.prepareStatement("""
                update dead_letter_audit set state = ?, finished_at = ?, failure = ?, matched = ?, replayed = ?,
                    discarded = ?, refused = ?, deferred = ? where id = ?""")) {
            update.setString(1, state.column());
            update.setTimestamp(2, Timestamp.from(clock.instant()));
            update.setString(3, DeadLetterColumns.text(failure, FAILURE_WIDTH));
            update.setInt(4, report == null ? 0 : report.matched());
            update.setInt(5, report == null ? 0 : report.replayed());
            update.setInt(6, report == null ? 0 : report.discarded());
            update.setInt(7, report == null ? 0 : report.refusedLoopGuard().size());
            update.setInt(8, report == null ? 0 : report.deferredForBudget().size());
            update.setLong(9, id);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("finishing the dead-letter audit", e);
        }
    }

    /** The last audit rows, newest first. */
    public List<Map<String, Object>> latest(int limit) {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement("""
                select at, operator, action, filter, dry_run, matched, replayed, discarded, refused, deferred,
                    state, reason, finished_at, failure
                from dead_letter_audit order by id desc limit ?""")) {
            select.setInt(1, limit);
            try (ResultSet r = select.executeQuery()) {
                while (r.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("at", r.getTimestamp(1).toInstant().toString());
                    row.put("operator", r.getString(2));
                    row.put("action", r.getString(3));
                    row.put("filter", r.getString(4));
                    row.put("dryRun", r.getBoolean(5));
                    row.put("matched", r.getInt(6));
                    row.put("replayed", r.getInt(7));
                    row.put("discarded", r.getInt(8));
                    row.put("refused", r.getInt(9));
                    row.put("deferred", r.getInt(10));
                    row.put("state", r.getString(11));
                    row.put("reason", r.getString(12));
                    Timestamp finished = r.getTimestamp(13);
                    row.put("finishedAt", finished == null ? null : finished.toInstant().toString());
                    row.put("failure", r.getString(14));
                    rows.add(row);
                }
            }
        } catch (SQLException e) {
            throw new DatabaseException("reading the dead-letter audit", e);
        }
        return rows;
    }
}
