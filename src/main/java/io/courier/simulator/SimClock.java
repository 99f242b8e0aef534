package io.courier.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** The simulator's time: real time plus an offset tests move forward (POST /sim/clock). */
final class SimClock {

    private final AtomicLong offsetMillis = new AtomicLong();

    Instant now() {
        return Instant.now().plusMillis(offsetMillis.get());
    }

    void advance(Duration by) {
        offsetMillis.addAndGet(by.toMillis());
    }
}
