package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The limit counts a record with Kafka's own estimate (the producer's), and refuses what is over it. */
class RecordLimitTest {

    private static final int LIMIT = 300_000;
    private final RecordLimit limit = new RecordLimit(LIMIT);

    private static ProducerRecord<String, byte[]> record(int valueBytes) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>("t", "acct-42", new byte[valueBytes]);
        r.headers().add("courier-error-class", "INVALID_JOB".getBytes());
        return r;
    }

    @Test
    void roomForValueIsTheEdgeOfWhatFits() {
        int room = limit.roomForValue(record(0));
        assertThat(limit.fits(record(room))).isTrue();
        int edge = room;
        while (limit.fits(record(edge + 1))) { // ends within 4 bytes: the varint slack RecordLimit assumes
            edge++;
        }
        assertThat(edge - room).isLessThanOrEqualTo(4);
        assertThat(limit.sizeOf(record(edge + 1))).isGreaterThan(LIMIT);
        assertThat(limit.sizeOf(record(edge + 1))).as("more than the raw bytes: Kafka's batch and record framing")
                .isGreaterThan(edge + 1 + "acct-42".length() + "courier-error-class".length() + "INVALID_JOB".length());
    }

    @Test
    void aRecordOverTheLimitNeverReachesTheOutbox() {
        List<ProducerRecord<String, byte[]>> outputs = new ArrayList<>();
        limit.add(outputs::add, record(1000));
        assertThatThrownBy(() -> limit.add(outputs::add, record(LIMIT)))
                .isInstanceOf(OutputTooLargeException.class).hasMessageContaining("courier.kafka.max-request-size");
        assertThat(outputs).hasSize(1);
    }
}
