package io.courier.job;

import io.courier.platform.Coalescer;
import io.courier.platform.DatabaseException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The idempotency record: one row per (account, job id) that succeeded, holding the result event exactly as
 * published, whole even when it went out in parts (ResultPublisher splits it the same way each time it is sent).
 * A job seen again (redelivery, a producer retry, a replay) is not run; its stored result is re-emitted.
 *
 * <p>Plain JDBC in autocommit, not a Hibernate session in a JTA transaction: this runs twice per job, and the
 * session and transaction set-up were a large share of the worker's CPU in the end-to-end benchmark
 * (figures in BENCHMARKS.md). Each statement is atomic on its own, which is all this table needs; the successes
 * of jobs finishing at about the same time go in one insert ({@link Coalescer}).
 */
@ApplicationScoped
public class OutcomeStore {

    /**
     * A job's earlier success, as a sub-select other packages may embed in one round trip (two parameters: the
     * account id, then the job id); null when there is none.
     */
    public static final String EARLIER_RESULT = "select result from job_outcome where account_id = ? and job_id = ?";
    /** The earlier outcome's status (SUCCEEDED or CANCELLED), as a sub-select with the same two parameters. */
    public static final String EARLIER_STATUS = "select status from job_outcome where account_id = ? and job_id = ?";

    /** Successes in one insert; a poll batch's worth. */
    private static final int MAX_BATCH = 128;

    private final DataSource db;
    private final Coalescer<Success, Boolean> inserts = new Coalescer<>("courier-outcome-rows", MAX_BATCH,
            this::insertAll);

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
     * result wins and is returned, so both publish the same event. A cancel recorded while the call was already
     * on its way to LinkedIn does not: the post is out, and the outcome says so (JobControl). The caller waits for its
     * row: the guarantees
     * are those of one insert per job, the successes recorded at about the same time sharing its round trip.
     */
    public String recordSuccess(ResultEvent event, String resultJson) {
        if (inserts.call(new Success(event, resultJson))) {
            return resultJson;
        }
        return succeededResult(event.accountId(), event.jobId()).orElse(resultJson);
    }

    @PreDestroy
    void close() {
        inserts.close();
    }

    private static List<String> key(String accountId, String jobId) {
        return List.of(accountId, jobId);
    }

    private record Success(ResultEvent event, String json) {}

    /**
     * Inserts the rows in one statement; true for each row inserted, false for one whose job was recorded before. A
     * job twice in one batch (two runs at once) goes in once, as its first row: RETURNING names the jobs inserted,
     * not which of two rows of one job.
     */
    private List<Boolean> insertAll(List<Success> rows) {
        Map<List<String>, Success> first = new LinkedHashMap<>();
        rows.forEach(r -> first.putIfAbsent(key(r.event().accountId(), r.event().jobId()), r));
        List<Success> distinct = List.copyOf(first.values());
        String[][] columns = new String[6][distinct.size()];
        for (int i = 0; i < distinct.size(); i++) {
            ResultEvent e = distinct.get(i).event();
            columns[0][i] = e.jobId();
            columns[1][i] = e.type();
            columns[2][i] = e.accountId();
            columns[3][i] = e.status().name();
            columns[4][i] = distinct.get(i).json();
            columns[5][i] = e.finishedAt().toString();
        }
        try (Connection c = db.getConnection();
                PreparedStatement insert = c.prepareStatement("""
                        insert into job_outcome (job_id, job_type, account_id, status, result, finished_at)
                        select job_id, job_type, account_id, status, result, finished_at::timestamptz
                        from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                            as given(job_id, job_type, account_id, status, result, finished_at)
                        on conflict (account_id, job_id) do update
                            set job_type = excluded.job_type, status = excluded.status, result = excluded.result,
                                finished_at = excluded.finished_at
                            where job_outcome.status = 'CANCELLED'
                        returning account_id, job_id""")) {
            for (int column = 0; column < columns.length; column++) {
                insert.setArray(column + 1, c.createArrayOf("text", columns[column]));
            }
            Set<List<String>> inserted = new HashSet<>();
            try (ResultSet returned = insert.executeQuery()) {
                while (returned.next()) {
                    inserted.add(key(returned.getString(1), returned.getString(2)));
                }
            }
            return rows.stream().map(r -> inserted.contains(key(r.event().accountId(), r.event().jobId()))
                    && first.get(key(r.event().accountId(), r.event().jobId())) == r).toList();
        } catch (SQLException e) {
            throw new DatabaseException("recording the outcome of " + rows.size() + " jobs, among them job "
                    + rows.get(0).event().jobId(), e);
        }
    }
}
