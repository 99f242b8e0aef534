package io.courier.worker;

import io.courier.auth.ParkedJobCount;
import io.courier.job.JobEnvelope;
import io.courier.platform.DatabaseException;
import io.courier.platform.StoredHeaders;
import io.courier.retry.RetryState;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Jobs of accounts waiting for re-authorization, held durably in PostgreSQL (table parked_job) so that their
 * offsets can be committed: not a dead letter, not a blocked partition. {@link ParkedJobReleaser} sends them back
 * to their job topic, in the order they were parked, once the account is connected again.
 */
@ApplicationScoped
class ParkedJobs implements ParkedJobCount {

    private final DataSource db;
    private final Clock clock;
    private final StoredHeaders storedHeaders;

    ParkedJobs(DataSource db, Clock clock, StoredHeaders storedHeaders) {
        this.db = db;
        this.clock = clock;
        this.storedHeaders = storedHeaders;
    }

    /** Parks a record; parking the same record again (a redelivery after a crash) changes nothing. */
    void park(ConsumerRecord<String, byte[]> record, JobEnvelope job, RetryState state) {
        try (Connection c = db.getConnection(); PreparedStatement insert = c.prepareStatement("""
                insert into parked_job (account_id, job_id, job_type, target_topic, source_topic, source_partition,
                    source_offset, record_key, record_value, headers, parked_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (source_topic, source_partition, source_offset, job_id) do nothing""")) {
            insert.setString(1, job.accountId());
            insert.setString(2, job.jobId());
            insert.setString(3, job.type().wireName());
            insert.setString(4, state.originalTopic());
            insert.setString(5, record.topic());
            insert.setInt(6, record.partition());
            insert.setLong(7, record.offset());
            insert.setString(8, record.key());
            insert.setBytes(9, record.value());
            insert.setString(10, storedHeaders.toJson(record.headers())); // every header, the retry state too
            insert.setTimestamp(11, Timestamp.from(clock.instant()));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("parking job " + job.jobId(), e);
        }
    }

    /** Jobs parked for the account (the events of its re-authorization report the count). */
    @Override
    public long of(String accountId) {
        try (Connection c = db.getConnection();
                PreparedStatement count = c.prepareStatement(
                        "select count(*) from parked_job where account_id = ?")) {
            count.setString(1, accountId);
            try (ResultSet r = count.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new DatabaseException("counting the parked jobs of account " + accountId, e);
        }
    }
}
