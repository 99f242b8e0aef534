package io.courier.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/** The one clock logic reads time from, so tests can replace it (STYLE §5). */
@ApplicationScoped
public class ClockProducers {

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }
}
