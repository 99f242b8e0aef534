package io.courier.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock a test moves instead of waiting (STYLE §7): a base clock plus an offset that only {@link #advance} changes.
 * On the system clock it still runs in real time between moves, for code that also waits in real time (a poll loop's
 * rounds); on a fixed instant it stands still until moved. Always UTC, like the production clock.
 */
public final class TestClock extends Clock {

    private final Clock base;
    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    private TestClock(Clock base) {
        this.base = base;
    }

    /** The system's UTC time, until moved. */
    public static TestClock system() {
        return new TestClock(Clock.systemUTC());
    }

    /** Stands at {@code start} until moved. */
    public static TestClock at(Instant start) {
        return new TestClock(Clock.fixed(start, ZoneOffset.UTC));
    }

    /** Moves the clock forward by {@code d}; everything reading it sees the jump at once. */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a test clock only moves forward: " + d);
        }
        offset.accumulateAndGet(d, Duration::plus);
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (!ZoneOffset.UTC.equals(zone.normalized())) {
            throw new UnsupportedOperationException("Courier reads time in UTC only, not " + zone);
        }
        return this;
    }
}
