package io.courier.ops;

import io.courier.platform.DatabaseException;
import io.courier.platform.StoredHeaders;
import io.courier.retry.CourierHeaders;
import io.courier.retry.DeadLetterSpill;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The dead-letter index in PostgreSQL (table dead_letter; its audit is AuditTrail), in plain JDBC. */
@ApplicationScoped
public class DeadLetterStore implements DeadLetterSpill {

    private static final String COLUMNS = """
            id, dlq_partition, dlq_offset, job_id, job_type, account_id, error_class, http_status, linkedin_code,
            service_error_code, linkedin_request_id, message, first_failure_at, last_failure_at, attempts, replay_count,
            original_topic, original_partition, original_offset, dead_at, state, handled_at, index_error""";

    /** Rows that stand for a committed DLQ record: a PENDING one waits for its truncated copy (see keep). */
    private static final String LISTED = "state <> '" + DeadLetterState.PENDING + "'";
    private static final String NEW_ONLY = "state = '" + DeadLetterState.NEW + "'";

    private final DataSource db;
    private final Clock clock;
    private final StoredHeaders storedHeaders;

    DeadLetterStore(DataSource db, Clock clock, StoredHeaders storedHeaders) {
        this.db = db;
        this.clock = clock;
        this.storedHeaders = storedHeaders;
    }

    private static final String INSERT = """
            insert into dead_letter (dlq_topic_id, dlq_partition, dlq_offset, dead_at, state, job_id, job_type, account_id,
                error_class, http_status, linkedin_code, service_error_code, linkedin_request_id, message, first_failure_at,
                last_failure_at, attempts, replay_count, original_topic, original_partition, original_offset, record_key,
                record_value, headers, index_error)
            values (?, ?, ?, ?, '%s', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (dlq_topic_id, dlq_partition, dlq_offset) do nothing""".formatted(DeadLetterState.NEW);

    /**
     * Indexes dead-letter records of the topic with this id (Kafka's topic id, new when a topic is re-created);
     * ones already indexed are skipped. A truncated copy (courier-truncated) is linked to the row the worker wrote
     * with the whole record instead of being indexed on its own. Returns how many were new.
     * <p>
     * No record stops indexing: one whose headers cannot be read into the columns, or whose row PostgreSQL refuses
     * (a value out of a column's range), is indexed as a degraded row with its raw value and headers and the reason
     * (index_error). Only an outage fails the batch (then nothing is committed and it is indexed again).
     */
    int index(String topicId, List<ConsumerRecord<String, byte[]>> records) {
        try (Connection c = db.getConnection()) {
            try (PreparedStatement insert = c.prepareStatement(INSERT)) {
                int added = 0;
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (linked(c, topicId, r)) {
                        added++;
                    } else {
                        bind(insert, topicId, r);
                        insert.addBatch();
                    }
                }
                for (int n : insert.executeBatch()) {
                    added += Math.max(n, 0);
                }
                return added;
            } catch (SQLException e) {
                if (!refusedForTheRecord(e)) {
                    throw e;
                }
                // One of them was refused: index them one by one, so that only that one is degraded.
                int added = 0;
                for (ConsumerRecord<String, byte[]> r : records) {
                    added += indexOne(c, topicId, r);
                }
                return added;
            }
        } catch (SQLException e) {
            throw new DatabaseException("indexing " + records.size() + " dead letters", e);
        }
    }

    private int indexOne(Connection c, String topicId, ConsumerRecord<String, byte[]> r) throws SQLException {
        if (linked(c, topicId, r)) {
            return 1;
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            bind(insert, topicId, r);
            return insert.executeUpdate();
        } catch (SQLException e) {
            if (!refusedForTheRecord(e)) {
                throw e;
            }
            try (PreparedStatement insert = c.prepareStatement(INSERT)) {
                DeadLetterColumns.degraded(storedHeaders, insert, 1, topicId, r,
                        "PostgreSQL refused its row: " + reason(e), Timestamp.from(clock.instant()));
                return insert.executeUpdate();
            }
        }
    }

    private void bind(PreparedStatement insert, String topicId, ConsumerRecord<String, byte[]> r) throws SQLException {
        Timestamp deadAt = new Timestamp(r.timestamp() > 0 ? r.timestamp() : clock.millis());
        try {
            insert.setString(1, topicId);
            insert.setInt(2, r.partition());
            insert.setLong(3, r.offset());
            insert.setTimestamp(4, deadAt);
            DeadLetterColumns.describe(storedHeaders, insert, 5, r.headers(), r.topic(), r.key(), r.value());
            insert.setString(24, null);
        } catch (RuntimeException e) {
            DeadLetterColumns.degraded(storedHeaders, insert, 1, topicId, r, "its headers could not be read: " + e,
                    deadAt);
        }
    }

    /**
     * PostgreSQL refused a value of the row itself (SQLSTATE class 22 data exception, 23 integrity, 54 limit); any
     * other failure (connection, timeout, a server shutting down) is an outage and fails the batch.
     */
    private static boolean refusedForTheRecord(SQLException e) {
        for (SQLException cause = e; cause != null; cause = cause.getNextException()) {
            String state = cause.getSQLState();
            if (state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"))) {
                return true;
            }
        }
        return false;
    }

    /** PostgreSQL's own words, without the statement (which would repeat the record's bytes). */
    private static String reason(SQLException e) {
        SQLException last = e;
        while (last.getNextException() != null) {
            last = last.getNextException();
        }
        String message = last.getMessage() == null
                ? last.getClass().getSimpleName()
                : last.getMessage().lines().findFirst().orElse("");
        return message.length() > 500 ? message.substring(0, 500) : message;
    }

    /**
     * Gives a truncated copy's row (written whole by {@link #keep}) the copy's coordinates. False when the record is
     * no copy, or its row is gone or already linked (then it is indexed as it is, or was already).
     */
    private boolean linked(Connection c, String topicId, ConsumerRecord<String, byte[]> r) throws SQLException {
        Long row = CourierHeaders.read(r.headers(), CourierHeaders.TRUNCATED).map(DeadLetterColumns::number)
                .orElse(null);
        if (row == null) {
            return false;
        }
        try (PreparedStatement link = c.prepareStatement("""
                update dead_letter set dlq_topic_id = ?, dlq_partition = ?, dlq_offset = ?, dead_at = ?, state = '%s'
                where id = ? and state = '%s'""".formatted(DeadLetterState.NEW, DeadLetterState.PENDING))) {
            link.setString(1, topicId);
            link.setInt(2, r.partition());
            link.setLong(3, r.offset());
            link.setTimestamp(4, new Timestamp(r.timestamp() > 0 ? r.timestamp() : clock.millis()));
            link.setLong(5, row);
            return link.executeUpdate() == 1;
        }
    }

    /**
     * A dead letter too large for Kafka, whole, as PENDING (listed nowhere) until the indexer links its truncated
     * copy. Rows whose copy never committed (the job ran again with another outcome) are purged after the retention.
     */
    @Override
    public long keep(String spillKey, ProducerRecord<String, byte[]> deadLetter, Instant deadAt) {
        String sql = """
                insert into dead_letter (spill_key, dead_at, state, job_id, job_type, account_id, error_class, http_status,
                    linkedin_code, service_error_code, linkedin_request_id, message, first_failure_at, last_failure_at, attempts,
                    replay_count, original_topic, original_partition, original_offset, record_key, record_value, headers)
                values (?, ?, '%s', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (spill_key) do update set dead_at = excluded.dead_at, job_id = excluded.job_id,
                    job_type = excluded.job_type, account_id = excluded.account_id, error_class = excluded.error_class,
                    http_status = excluded.http_status, linkedin_code = excluded.linkedin_code,
                    service_error_code = excluded.service_error_code, linkedin_request_id = excluded.linkedin_request_id,
                    message = excluded.message, first_failure_at = excluded.first_failure_at,
                    last_failure_at = excluded.last_failure_at, attempts = excluded.attempts,
                    replay_count = excluded.replay_count, original_topic = excluded.original_topic,
                    original_partition = excluded.original_partition, original_offset = excluded.original_offset,
                    record_key = excluded.record_key, record_value = excluded.record_value, headers = excluded.headers
                returning id""".formatted(DeadLetterState.PENDING);
        try (Connection c = db.getConnection(); PreparedStatement upsert = c.prepareStatement(sql)) {
            upsert.setString(1, spillKey);
            upsert.setTimestamp(2, Timestamp.from(deadAt));
            DeadLetterColumns.describe(storedHeaders, upsert, 3, deadLetter.headers(), deadLetter.topic(),
                    deadLetter.key(), deadLetter.value());
            try (ResultSet r = upsert.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new DatabaseException("keeping a dead letter of " + spillKey + " too large for Kafka", e);
        }
    }

    public List<StoredDeadLetter> list(DeadLetterFilter filter, int limit) {
        List<Object> parameters = new ArrayList<>();
        String sql = "select " + COLUMNS + " from dead_letter where " + LISTED + " and " + filter.where(parameters)
                + " order by id desc limit ?";
        parameters.add(limit);
        return query(sql, parameters, false);
    }

    /** Oldest first: replay keeps the order in which jobs failed. */
    List<StoredDeadLetter> oldestFirst(DeadLetterFilter filter, int limit) {
        List<Object> parameters = new ArrayList<>();
        String sql = "select " + COLUMNS + ", record_key, record_value, headers from dead_letter where " + LISTED
                + " and " + filter.where(parameters) + " order by id limit ?";
        parameters.add(limit);
        return query(sql, parameters, true);
    }

    public Optional<StoredDeadLetter> get(long id) {
        List<Object> parameters = new ArrayList<>(List.of(id));
        return query("select " + COLUMNS + ", record_key, record_value, headers from dead_letter where id = ?",
                parameters, true)
                .stream().findFirst();
    }

    /** NEW → REPLAYED or DISCARDED; false if another replay or discard got there first. */
    boolean mark(long id, DeadLetterState state) {
        try (Connection c = db.getConnection();
                PreparedStatement update = c.prepareStatement(
                        "update dead_letter set state = ?, handled_at = ? where id = ? and " + NEW_ONLY)) {
            update.setString(1, state.name());
            update.setTimestamp(2, Timestamp.from(clock.instant()));
            update.setLong(3, id);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new DatabaseException("marking dead letter " + id + " " + state, e);
        }
    }

    /** Counts for the ops page: by state, by class and by account (NEW ones), and NEW per hour over a week. */
    public Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("byState",
                counts("select state, count(*) from dead_letter where " + LISTED + " group by state order by 2 desc",
                        List.of()));
        out.put("byClass", counts(
                "select error_class, count(*) from dead_letter where " + NEW_ONLY + " group by 1 order by 2 desc",
                List.of()));
        out.put("byAccount",
                counts("select coalesce(account_id, '(none)'), count(*) from dead_letter where " + NEW_ONLY + " "
                        + "group by 1 order by 2 desc limit 20", List.of()));
        out.put("perHour", counts(
                "select to_char(date_trunc('hour', dead_at) at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:00\"Z\"'), count(*) "
                        + "from dead_letter where " + LISTED + " and dead_at > ? group by 1 order by 1",
                List.of(Timestamp.from(clock.instant().minus(Duration.ofDays(7))))));
        return out;
    }

    /**
     * Deletes handled (replayed or discarded) rows older than the retention, and PENDING rows as old (kept whole for a
     * dead letter whose copy never committed); NEW ones stay. Returns the count.
     */
    int purgeHandled(Duration retention) {
        try (Connection c = db.getConnection();
                PreparedStatement delete = c.prepareStatement(
                        "delete from dead_letter where (state not in ('%s', '%s') and handled_at < ?) or (state = '%s' and dead_at < ?)"
                                .formatted(DeadLetterState.NEW, DeadLetterState.PENDING, DeadLetterState.PENDING))) {
            Timestamp before = Timestamp.from(clock.instant().minus(retention));
            delete.setTimestamp(1, before);
            delete.setTimestamp(2, before);
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("purging handled dead letters", e);
        }
    }

    private Map<String, Long> counts(String sql, List<Object> parameters) {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                select.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet r = select.executeQuery()) {
                while (r.next()) {
                    out.put(r.getString(1), r.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new DatabaseException("counting dead letters", e);
        }
        return out;
    }

    private List<StoredDeadLetter> query(String sql, List<Object> parameters, boolean withRecord) {
        List<StoredDeadLetter> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                Object p = parameters.get(i);
                if (p instanceof Long[] ids) {
                    Array array = c.createArrayOf("bigint", ids);
                    select.setArray(i + 1, array);
                } else {
                    select.setObject(i + 1, p);
                }
            }
            try (ResultSet r = select.executeQuery()) {
                while (r.next()) {
                    out.add(row(r, withRecord));
                }
            }
        } catch (SQLException e) {
            throw new DatabaseException("reading dead letters", e);
        }
        return out;
    }

    private StoredDeadLetter row(ResultSet r, boolean withRecord) throws SQLException {
        Optional<StoredDeadLetter.Record> record = Optional.empty();
        if (withRecord) {
            record = Optional.of(new StoredDeadLetter.Record(Optional.ofNullable(r.getString("record_key")),
                    r.getBytes("record_value"), storedHeaders.fromJson(r.getString("headers"))));
        }
        // A PENDING row has no DLQ coordinates yet: -1.
        return new StoredDeadLetter(r.getLong("id"),
                Optional.ofNullable((Integer) r.getObject("dlq_partition")).orElse(-1),
                Optional.ofNullable((Long) r.getObject("dlq_offset")).orElse(-1L),
                Optional.ofNullable(r.getString("job_id")), Optional.ofNullable(r.getString("job_type")),
                Optional.ofNullable(r.getString("account_id")), r.getString("error_class"),
                Optional.ofNullable((Integer) r.getObject("http_status")),
                Optional.ofNullable(r.getString("linkedin_code")),
                Optional.ofNullable((Integer) r.getObject("service_error_code")),
                Optional.ofNullable(r.getString("linkedin_request_id")),
                r.getString("message"), instant(r.getTimestamp("first_failure_at")),
                instant(r.getTimestamp("last_failure_at")),
                r.getInt("attempts"), r.getInt("replay_count"), r.getString("original_topic"),
                Optional.ofNullable((Integer) r.getObject("original_partition")),
                Optional.ofNullable((Long) r.getObject("original_offset")),
                r.getTimestamp("dead_at").toInstant(), DeadLetterState.valueOf(r.getString("state")),
                instant(r.getTimestamp("handled_at")),
                Optional.ofNullable(r.getString("index_error")), record);
    }

    private static Optional<Instant> instant(Timestamp t) {
        return Optional.ofNullable(t).map(Timestamp::toInstant);
    }
}
