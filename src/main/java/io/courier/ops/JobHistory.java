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
 * (each with its class and attempts), where it waits (its place in its account's lane with the time it comes back,
 * or parked), the version it put on record when it first waited (a scheduled job's). The runs in between leave no row:
 * their story is the job's trace and its tier records.
 */
@ApplicationScoped
public class JobHistory {

    private static final int RECENT = 50;

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
            // A job that waited (scheduled, retried, parked) put its version on record when it first did.
            out.put("version", first(rows(c, "select job_type, created_at, seen_at from job_version"
                    + " where job_id = ? and account_id = ?", jobId, accountId)));
        } catch (SQLException e) {
            throw new DatabaseException("could not read job " + jobId, e);
        }
        boolean known = out.get("outcome") != null || out.get("version") != null || out.values().stream()
                .anyMatch(v -> v instanceof List<?> l && !l.isEmpty());
        return known ? out : Map.of();
    }

    /** An account's latest outcomes and the jobs that wait (lane or parked), newest first. */
    public Map<String, Object> recent(String accountId) {
        Map<String, Object> out = new LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            out.put("finished", rows(c, "select job_id, job_type, status, finished_at from job_outcome"
                    + " where account_id = ? order by finished_at desc limit " + RECENT, accountId));
            out.put("waiting", rows(c, "select job_id, topic, due_at, joined_at from account_lane"
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
