package io.courier.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Retry state comes from Courier's own tier headers only, and no header value can make reading it throw. */
class RetryStateTest {

    private static final String PREFIX = RetryConfig.DEFAULT_TOPIC_PREFIX;

    private static ConsumerRecord<String, byte[]> record(String topic, String... headerPairs) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.add(headerPairs[i],
                    headerPairs[i + 1] == null ? null : headerPairs[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>(topic, 2, 41L, 0L, TimestampType.CREATE_TIME, 0, 0, "acct", new byte[0], headers,
                Optional.empty());
    }

    @ParameterizedTest(name = "parked from {0}")
    @CsvSource({"linkedin.jobs.post", "linkedin.jobs.retry.10s"})
    void aParkedRecordReadBackHasTheStateItHadWhenPolled(String topic) {
        ConsumerRecord<String, byte[]> polled = record(topic, CourierHeaders.ORIGINAL_TOPIC, "linkedin.jobs.sync",
                CourierHeaders.ATTEMPTS, "3", CourierHeaders.FIRST_FAILURE_AT, "2026-11-24T10:00:00Z",
                CourierHeaders.ORIGINAL_PARTITION, "5", CourierHeaders.ORIGINAL_OFFSET, "1234");
        DeadLetterWriter.Original kept = DeadLetterWriter.Original.kept(polled.topic(), polled.partition(),
                polled.offset(), polled.key(), polled.value(), polled.headers());

        // What RetryRouter.stateOf reads from each.
        assertThat(RetryState.of(kept.topic(), kept.partition(), kept.offset(), kept.headers(), PREFIX))
                .isEqualTo(RetryState.of(polled, PREFIX));
        assertThat(kept.timestamp()).isEqualTo(ConsumerRecord.NO_TIMESTAMP);
    }

    @Test
    void aJobTopicRecordStartsFreshWhateverCourierHeadersAProducerWrote() {
        RetryState state = RetryState.of(record("linkedin.jobs.post",
                CourierHeaders.ORIGINAL_TOPIC, "linkedin.jobs.results", CourierHeaders.DUE_AT, "0",
                CourierHeaders.ATTEMPTS, "7", CourierHeaders.FIRST_FAILURE_AT, "2020-01-01T00:00:00Z",
                CourierHeaders.ORIGINAL_PARTITION, "9", CourierHeaders.ORIGINAL_OFFSET, "99"), PREFIX);
        assertThat(state).isEqualTo(new RetryState(0, Optional.empty(), "linkedin.jobs.post", 2, 41L));
    }

    @Test
    void aJobTopicRecordWithMalformedCourierHeadersStartsFresh() {
        RetryState state = RetryState.of(record("linkedin.jobs.post",
                CourierHeaders.ORIGINAL_TOPIC, "linkedin.jobs.results", CourierHeaders.DUE_AT, "0",
                CourierHeaders.ATTEMPTS, "x", CourierHeaders.FIRST_FAILURE_AT, "yesterday",
                CourierHeaders.REPLAY_COUNT, "-5"), PREFIX);
        assertThat(state).isEqualTo(new RetryState(0, Optional.empty(), "linkedin.jobs.post", 2, 41L));
    }

    @Test
    void aTierRecordCarriesItsRetryState() {
        RetryState state = RetryState.of(record("linkedin.jobs.retry.10s",
                CourierHeaders.ORIGINAL_TOPIC, "linkedin.jobs.sync", CourierHeaders.DUE_AT, "1764000000000",
                CourierHeaders.ATTEMPTS, "3", CourierHeaders.FIRST_FAILURE_AT, "2026-11-24T10:00:00Z",
                CourierHeaders.ORIGINAL_PARTITION, "5", CourierHeaders.ORIGINAL_OFFSET, "1234"), PREFIX);
        assertThat(state).isEqualTo(new RetryState(3, Optional.of(Instant.parse("2026-11-24T10:00:00Z")),
                "linkedin.jobs.sync", 5, 1234L));
    }

    @Test
    void aTierRecordWithMalformedHeadersReadsThemAsAbsent() {
        RetryState state = RetryState.of(record("linkedin.jobs.retry.1s",
                CourierHeaders.ORIGINAL_TOPIC, "linkedin.jobs.post", CourierHeaders.DUE_AT, "soon",
                CourierHeaders.ATTEMPTS, "x", CourierHeaders.FIRST_FAILURE_AT, "yesterday",
                CourierHeaders.ORIGINAL_PARTITION, "", CourierHeaders.ORIGINAL_OFFSET, null), PREFIX);
        assertThat(state).isEqualTo(new RetryState(0, Optional.empty(), "linkedin.jobs.post", -1, -1L));
        assertThat(CourierHeaders.dueAt(record("linkedin.jobs.retry.1s", CourierHeaders.DUE_AT, "soon").headers()))
                .isEmpty();
    }

    @ParameterizedTest(name = "attempts ''{0}'' -> {1}")
    @CsvSource({"3, 3", "-2, 0", "99999999999, 0", "' 3', 0", "3.0, 0", "'', 0"})
    void attemptsOnATierRecordAreANonNegativeNumberOrZero(String attempts, int expected) {
        assertThat(RetryState.of(record("linkedin.jobs.retry.1s", CourierHeaders.ORIGINAL_TOPIC, "linkedin.jobs.post",
                CourierHeaders.DUE_AT, "0", CourierHeaders.ATTEMPTS, attempts), PREFIX).attempts()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "replay count ''{0}'' -> {1}")
    @CsvSource({"0, 0", "2, 2", "-5, 2147483647", "x, 2147483647", "99999999999, 2147483647", "'', 2147483647"})
    void aReplayCountThatIsNotANonNegativeNumberCountsAsTheMaximum(String count, int expected) {
        assertThat(
                CourierHeaders.replayCount(record("linkedin.jobs.post", CourierHeaders.REPLAY_COUNT, count).headers()))
                .isEqualTo(expected);
        assertThat(CourierHeaders.replayCount(record("linkedin.jobs.post").headers())).isZero();
    }
}
