package io.courier.ops;

import io.courier.platform.StoredHeaders;
import io.courier.retry.CourierHeaders;
import io.courier.retry.ErrorClass;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * How a dead letter's headers and record fill its dead_letter row: one mapping for the rows the indexer writes and
 * the rows the worker keeps whole for a dead letter too large for Kafka. Headers are read defensively: a value that
 * does not parse is stored as null, never a reason to stop indexing.
 */
final class DeadLetterColumns {

    private DeadLetterColumns() {}

    /**
     * PostgreSQL's text refuses U+0000, and a producer's key or header may hold one: such a row would be refused for
     * ever and stop the indexer. It is stored as U+FFFD (the original bytes stay on the DLQ topic).
     */
    static String text(String value) {
        return value == null || value.indexOf('\u0000') < 0 ? value : value.replace('\u0000', '\uFFFD');
    }

    /** The same, cut to its column's width: a 70-character type in a varchar(64) would stop the indexer too. */
    static String text(String value, int width) {
        String clean = text(value);
        return clean == null || clean.length() <= width ? clean : clean.substring(0, width);
    }

    /** Binds what a dead letter says about itself (its headers) and its record, from parameter {@code i} on. */
    static void describe(StoredHeaders stored, PreparedStatement s, int i, Headers h, String topic, String key,
            byte[] value) throws SQLException {
        s.setString(i, text(header(h, CourierHeaders.JOB_ID), 128));
        s.setString(i + 1, text(header(h, CourierHeaders.JOB_TYPE), 64));
        s.setString(i + 2, text(header(h, CourierHeaders.ACCOUNT_ID), 128));
        s.setString(i + 3, text(Optional.ofNullable(header(h, CourierHeaders.ERROR_CLASS)).orElse("UNKNOWN"), 64));
        s.setObject(i + 4, integer(header(h, CourierHeaders.HTTP_STATUS)));
        s.setString(i + 5, text(header(h, CourierHeaders.LINKEDIN_CODE), 128));
        s.setObject(i + 6, integer(header(h, CourierHeaders.LINKEDIN_SERVICE_ERROR_CODE)));
        s.setString(i + 7, text(header(h, CourierHeaders.LINKEDIN_REQUEST_ID), 128));
        s.setString(i + 8, text(Optional.ofNullable(header(h, CourierHeaders.ERROR_MESSAGE)).orElse("")));
        s.setTimestamp(i + 9, timestamp(header(h, CourierHeaders.FIRST_FAILURE_AT)));
        s.setTimestamp(i + 10, timestamp(header(h, CourierHeaders.LAST_FAILURE_AT)));
        s.setInt(i + 11, Optional.ofNullable(integer(header(h, CourierHeaders.ATTEMPTS))).orElse(0));
        s.setInt(i + 12, Optional.ofNullable(integer(header(h, CourierHeaders.REPLAY_COUNT))).orElse(0));
        s.setString(i + 13, text(Optional.ofNullable(header(h, CourierHeaders.ORIGINAL_TOPIC)).orElse(topic), 255));
        s.setObject(i + 14, integer(header(h, CourierHeaders.ORIGINAL_PARTITION)));
        s.setObject(i + 15, number(header(h, CourierHeaders.ORIGINAL_OFFSET)));
        s.setString(i + 16, text(key));
        s.setBytes(i + 17, value);
        s.setString(i + 18, text(stored.toJson(h)));
    }

    /**
     * Binds a degraded row for a record that cannot be indexed in full: its coordinates, its raw value and headers
     * (base64 JSON, always storable), its key cleaned, the reason in index_error and the message; nothing parsed from
     * its headers except an error class Courier knows. Columns as in DeadLetterStore's insert, from parameter
     * {@code i}.
     */
    static void degraded(StoredHeaders stored, PreparedStatement s, int i, String topicId,
            ConsumerRecord<String, byte[]> r, String reason, Timestamp deadAt) throws SQLException {
        String errorClass = Optional.ofNullable(header(r.headers(), CourierHeaders.ERROR_CLASS))
                .filter(c -> Arrays.stream(ErrorClass.values()).anyMatch(k -> k.name().equals(c))).orElse("UNKNOWN");
        String why = text(reason);
        s.setString(i, topicId);
        s.setInt(i + 1, r.partition());
        s.setLong(i + 2, r.offset());
        s.setTimestamp(i + 3, deadAt);
        for (int column = i + 4; column <= i + 23; column++) {
            s.setNull(column, java.sql.Types.NULL);
        }
        s.setString(i + 7, errorClass);
        s.setString(i + 12, "not indexed in full: " + why);
        s.setInt(i + 15, 0);
        s.setInt(i + 16, 0);
        s.setString(i + 17, text(r.topic(), 255));
        s.setString(i + 20, text(r.key()));
        s.setBytes(i + 21, r.value());
        s.setString(i + 22, stored.toJson(r.headers()));
        s.setString(i + 23, why);
    }

    private static String header(Headers headers, String key) {
        return CourierHeaders.read(headers, key).orElse(null);
    }

    private static Integer integer(String value) {
        try {
            return value == null ? null : Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Long number(String value) {
        try {
            return value == null ? null : Long.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Timestamp timestamp(String value) {
        try {
            return value == null ? null : Timestamp.from(Instant.parse(value));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
