package io.courier.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Job counters and timers: {@code courier_jobs_total{type,outcome}} and {@code courier_job_duration_seconds}.
 * The type tag is one of the known job types or {@link #INVALID_TYPE}, never a producer's string, to bound
 * cardinality.
 */
@ApplicationScoped
class JobMetrics {

    /** The type tag of a record whose job type could not be read. */
    static final String INVALID_TYPE = "invalid";

    enum Outcome {
        SUCCEEDED, DUPLICATE, REEMITTED, DELAYED, SCHEDULED, PARKED, DEAD_LETTERED, CANCELLED, REPLACED, HELD, PAUSED
    }

    private static final Duration[] BUCKETS = java.util.stream.Stream.of(50, 100, 250, 500, 1000, 2500, 5000, 10_000,
            30_000, 60_000).map(Duration::ofMillis).toArray(Duration[]::new);

    private final MeterRegistry registry;

    JobMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(String type, Outcome outcome, Duration took) {
        String outcomeTag = outcome.name().toLowerCase(java.util.Locale.ROOT);
        Counter.builder("courier.jobs").description("Jobs finished, by type and outcome")
                .tag("type", type).tag("outcome", outcomeTag).register(registry).increment();
        if (outcome == Outcome.PAUSED || outcome == Outcome.HELD) {
            return; // a look while it waits, not a run: its few milliseconds would pull the percentiles down
        }
        // A few fixed buckets, not Micrometer's 70 per series: enough for the dashboard's percentiles.
        Timer.builder("courier.job.duration").description("Time from start of a job to its written outcome")
                .serviceLevelObjectives(BUCKETS).tag("type", type).tag("outcome", outcomeTag).register(registry)
                .record(took);
    }
}
