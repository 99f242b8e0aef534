package io.courier.job;

import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Format;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one parser of a job's instants (createdAt; notBefore and notAfter when they come): an RFC 3339 date-time
 * (§5.6), normalised to an {@link Instant}. The job schema's {@code "format": "date-time"} is checked by this same
 * class ({@link #FORMAT}), so a value the schema accepts is one this parser reads, and the reverse.
 *
 * <p>Accepted: "T", "t" or one space between date and time (§5.6 allows the space for readability, and Python's
 * {@code str(datetime)} writes it), any number of fraction digits (nanoseconds kept, the rest dropped), "Z", "z" or
 * ±hh:mm (-00:00 is UTC), and a leap second 23:59:60 UTC (read as 23:59:59: an Instant has no leap seconds).
 * Refused: a time without offset (a local time names no instant), the basic format without dashes or colons, an
 * offset without its colon, anything before or after the date-time, and digits other than ASCII.
 */
public final class Rfc3339 {

    /** The schema's date-time format, checked by {@link #parse}. */
    static final Format FORMAT = new DateTimeFormat();

    private static final int MAX_CHARS = 64;
    // ASCII digits only: Pattern's \d without UNICODE_CHARACTER_CLASS. matches() anchors both ends.
    private static final Pattern DATE_TIME = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})[Tt ](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?(?:[Zz]|([+-])(\\d{2}):(\\d{2}))");

    private Rfc3339() {}

    /** The instant a date-time names, or empty when it is not an RFC 3339 date-time. Never throws. */
    public static Optional<Instant> parse(String text) {
        if (text == null || text.length() > MAX_CHARS) {
            return Optional.empty();
        }
        Matcher m = DATE_TIME.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        int second = number(m, 6);
        int offsetHours = m.group(8) == null ? 0 : number(m, 9);
        int offsetMinutes = m.group(8) == null ? 0 : number(m, 10);
        if (second > 60 || offsetHours > 23 || offsetMinutes > 59) {
            return Optional.empty();
        }
        try {
            LocalDateTime local = LocalDateTime.of(number(m, 1), number(m, 2), number(m, 3), number(m, 4), number(m, 5),
                    Math.min(second, 59), nanos(m.group(7)));
            int sign = "-".equals(m.group(8)) ? -1 : 1;
            Instant instant = local.toInstant(ZoneOffset.UTC)
                    .minusSeconds(sign * (offsetHours * 3600L + offsetMinutes * 60L));
            if (second == 60 && !isLastSecondOfUtcDay(instant)) {
                return Optional.empty(); // leap seconds are inserted at 23:59:60 UTC only
            }
            return Optional.of(instant);
        } catch (DateTimeException e) {
            return Optional.empty(); // month 13, February 30, hour 24...
        }
    }

    private static int number(Matcher m, int group) {
        return Integer.parseInt(m.group(group)); // at most 4 ASCII digits: cannot overflow
    }

    private static int nanos(String fraction) {
        if (fraction == null) {
            return 0;
        }
        String nine = fraction.length() >= 9 ? fraction.substring(0, 9) : fraction + "0".repeat(9 - fraction.length());
        return Integer.parseInt(nine);
    }

    private static boolean isLastSecondOfUtcDay(Instant instant) {
        return instant.getEpochSecond() % 86_400 == 86_399;
    }

    /** networknt's date-time format, replaced so that the schema and {@link #parse} cannot disagree. */
    private static final class DateTimeFormat implements Format {
        @Override
        public String getName() {
            return "date-time";
        }

        @Override
        public String getMessageKey() {
            return "format.date-time";
        }

        @Override
        public boolean matches(ExecutionContext executionContext, String value) {
            return parse(value).isPresent();
        }
    }
}
