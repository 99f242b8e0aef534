package io.courier.ops;

import io.courier.platform.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What Courier's tables know of a job, for the console's jobs view: its outcome (job_outcome), its dead letters
 * (each with its class and attempts), why it waits and when it comes back (a retried job's attempts and last failure,
 * a scheduled job's notBefore, a pause in force, parked), its place in its account's lane. The runs in between leave
 * no row of their own: their story is the job's trace and its tier records.
 */
@ApplicationScoped
public class JobHistory {

    private static final int RECENT = 50;
    /**
     * Whether the job of version row v was dead-lettered since it last waited: a dead letter writes no outcome row,
     * and its version row stays (for replays) until the sweep.
     */
    private static final String DEAD_SINCE = "exists (select 1 from dead_letter d where d.job_id = v.job_id"
            + " and d.account_id = v.account_id and d.dead_at >= v.seen_at)";

    private final DataSource db;

    JobHistory(DataSource db) {
        this.db = db;
    }

    /** Everything known of one job; empty when nothing is. */
    public Map<String, Object> of(String accountId, String jobId) {
        Map<String, Object> out = new LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            out.put("outcome", first(rows(c, "select job_type, status, finished_at, result from job_outcome"
                    + " where job_id = ? and account_id = ?", jobId, accountId)));
            out.put("deadLetters", rows(c, "select id, job_type, error_class, attempts, message, dead_at, state"
                    + " from dead_letter where job_id = ? and account_id = ? order by dead_at", jobId, accountId));
            out.put("waiting", rows(c, "select topic, due_at, joined_at from account_lane"
                    + " where job_id = ? and account_id = ?", jobId, accountId));
            out.put("parked", rows(c, "select job_type, parked_at from parked_job where job_id = ? and account_id = ?",
                    jobId, accountId));
            // A job that waited (scheduled, retried, paused, parked) put its version on record, and why it waits.
            out.put("version", first(rows(c, "select job_type, created_at, seen_at, waits_for, attempts, error_class,"
                    + " last_error, due_at, " + DEAD_SINCE + " as dead_lettered from job_version v"
                    + " where job_id = ? and account_id = ?", jobId, accountId)));
            // A paused job is not written again at each look (worker.JobOutcomes.pause): the pause in force says it.
            out.put("pausedBy", rows(c, "select scope, value, paused_at, paused_by from job_pause"
                    + " where scope = 'account' and value = ? or scope = 'job-type' and value in"
                    + " (select job_type from job_version where job_id = ? and account_id = ?)",
                    accountId, jobId, accountId));
        } catch (SQLException e) {
            throw new DatabaseException("could not read job " + jobId, e);
        }
        boolean known = out.get("outcome") != null || out.get("version") != null || out.values().stream()
                .anyMatch(v -> v instanceof List<?> l && !l.isEmpty());
        return known ? out : Map.of();
    }

    /**
     * An account's latest outcomes, the jobs that wait (why, attempts, last class, when they come back; newest
     * first), their places in its lanes and its parked jobs.
     */
    public Map<String, Object> recent(String accountId) {
        Map<String, Object> out = new LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            out.put("finished", rows(c, "select job_id, job_type, status, finished_at from job_outcome"
                    + " where account_id = ? order by finished_at desc limit " + RECENT, accountId));
            out.put("waiting", rows(c, "select job_id, job_type, waits_for, attempts, error_class, due_at, seen_at"
                    + " from job_version v where account_id = ? and not exists (select 1 from job_outcome o"
                    + " where o.account_id = v.account_id and o.job_id = v.job_id) and not " + DEAD_SINCE
                    + " order by seen_at desc limit "
                    + RECENT, accountId));
            out.put("lanes", rows(c, "select job_id, topic, due_at, joined_at from account_lane"
                    + " where account_id = ? order by seq limit " + RECENT, accountId));
            out.put("parked", rows(c, "select job_id, job_type, parked_at from parked_job"
                    + " where account_id = ? order by seq limit " + RECENT, accountId));
        } catch (SQLException e) {
            throw new DatabaseException("could not read the jobs of " + accountId, e);
        }
        return out;
    }

    private static Map<String, Object> first(List<Map<String, Object>> rows) {
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** Rows as maps keyed by column label, timestamps as ISO-8601 text. */
    private static List<Map<String, Object>> rows(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                q.setString(i + 1, params[i]);
            }
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet r = q.executeQuery()) {
                int columns = r.getMetaData().getColumnCount();
                while (r.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= columns; i++) {
                        Object v = r.getObject(i);
                        row.put(camel(r.getMetaData().getColumnLabel(i)),
                                v instanceof Timestamp t ? t.toInstant().toString() : v);
                    }
                    out.add(row);
                }
            }
            return out;
        }
    }

    private static String camel(String column) {
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char ch : column.toCharArray()) {
            if (ch == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return b.toString();
    }
}
