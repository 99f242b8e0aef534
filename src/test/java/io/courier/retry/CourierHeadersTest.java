package io.courier.retry;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.job.JobRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one header filter: what a job keeps of its headers when Courier sends it on (dead letter, release, replay). */
class CourierHeadersTest {

    /** Headers from "key=value" pairs, in order. */
    private static Headers headers(String pairs) {
        Headers headers = new RecordHeaders();
        if (pairs != null) {
            for (String pair : pairs.trim().split(" ")) {
                String[] kv = pair.split("=", 2);
                headers.add(kv[0], kv[1].getBytes(StandardCharsets.UTF_8));
            }
        }
        return headers;
    }

    private static String pairs(Headers headers) {
        return String.join(" ", Arrays.stream(headers.toArray()).map(h -> h.key() + "=" + text(h)).toList());
    }

    private static String text(Header header) {
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}, keeping [{1}] -> {2}")
    @CsvSource(delimiter = '|', value = {
            "trace=1 courier-attempts=3 tenant=a | | trace=1 tenant=a",
            "courier-error-class=X courier-replay-count=2 b=2 | courier-replay-count | courier-replay-count=2 b=2",
            "courier-error-class=X courier-replay-count=2 | | ''",
            "a=1 a=2 courier-due-at=5 | courier-replay-count | a=1 a=2",
            "Courier-like=1 courier=2 | | Courier-like=1 courier=2"})
    void keepsTheProducersHeadersInTheirOrderWithoutCouriers(String in, String keep, String out) {
        String[] kept = keep == null ? new String[0] : new String[] {keep.trim()};
        assertThat(pairs(CourierHeaders.producerHeaders(headers(in), kept))).isEqualTo(out);
    }

    @ParameterizedTest(name = "replay count {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "trace=1 courier-replay-count=4 courier-attempts=3 | 0          | trace=1 courier-replay-count=1",
            "courier-replay-count=x                            | 4          | courier-replay-count=5",
            "                                                  | 2147483647 | courier-replay-count=2147483647"})
    void aReplayCarriesTheProducersHeadersAndTheNextCount(String in, int count, String out) {
        assertThat(pairs(CourierHeaders.replay(headers(in), count))).isEqualTo(out);
    }

    @ParameterizedTest(name = "{0} -> replay count {1}")
    @CsvSource(delimiter = '|', value = {"courier-replay-count=7 x=1 | 7", "courier-replay-count=junk x=1 | 2147483647",
            "x=1 | "})
    void aDeadLetterReplacesEarlierFailureHeadersAndKeepsTheReplayCountAsTheGuardReadsIt(String in, String count) {
        Headers original = headers(in + " courier-error-class=RATE_LIMITED courier-attempts=3");
        Headers dead = CourierHeaders.deadLetter(original, new JobRef(Optional.of("j"), Optional.of("post.create"),
                Optional.of("acc")), Failure.of(ErrorClass.BAD_REQUEST, "no"),
                new RetryState(1, Optional.empty(), "linkedin.jobs.post", 0, 9), Instant.parse("2026-12-01T00:00:00Z"));

        assertThat(dead.headers(CourierHeaders.ERROR_CLASS)).extracting(CourierHeadersTest::text)
                .containsExactly("BAD_REQUEST");
        assertThat(dead.headers(CourierHeaders.ATTEMPTS)).extracting(CourierHeadersTest::text).containsExactly("1");
        assertThat(CourierHeaders.read(dead, "x")).contains("1");
        assertThat(CourierHeaders.read(dead, CourierHeaders.REPLAY_COUNT)).isEqualTo(Optional.ofNullable(count));
    }
}
