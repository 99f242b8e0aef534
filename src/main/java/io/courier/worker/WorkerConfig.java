package io.courier.worker;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/** How hard one Courier process works. */
@ConfigMapping(prefix = "courier.worker")
public interface WorkerConfig {

    /** Run the job consumers (off for a process that only serves the admin API). */
    @WithDefault("true")
    boolean enabled();

    /**
     * Jobs in progress at once in this process (each on a virtual thread); jobs of one account always run one at a
     * time. Twice courier.linkedin.max-calls-in-flight by default: a job spends part of its time on PostgreSQL and
     * Redis, and those steps should overlap other jobs' LinkedIn calls rather than leave call slots idle.
     */
    @WithDefault("128")
    @Min(1)
    @Max(10000)
    int concurrency();

    /**
     * Records polled but not finished before the consumer pauses fetching; bounds memory and redelivery after a crash.
     */
    @WithDefault("2000")
    @Min(1)
    int maxBufferedRecords();

    /**
     * Least time between two transactions of a poll loop (as Kafka Streams' commit.interval.ms): each commit costs
     * the broker markers on every partition it touched, so finished jobs are committed together. Results become
     * visible up to this much later; jobs never wait for it. Shutdown and rebalances commit at once.
     */
    @WithDefault("100ms")
    Duration commitInterval();

    /** How long to wait for running jobs on shutdown or partition revocation before handing them back uncommitted. */
    @WithDefault("20s")
    Duration drainTimeout();

    /**
     * Largest job record accepted; larger ones are dead-lettered as INVALID_JOB. At most courier.kafka.max-request-size
     * minus 16 KiB, so that a job always fits a retry tier with Courier's headers (OutputLimits): 1 MiB - 16 KiB.
     */
    @WithDefault("1032192")
    @Min(1024)
    int maxRecordBytes();

    /** Most pages a sync job reads; a guard against a feed that never ends. */
    @WithDefault("100")
    @Min(1)
    int maxSyncPages();

    /**
     * Pause before running a job again when PostgreSQL, Redis or something unexpected failed mid-job (the job stays
     * uncommitted); it doubles with each try, up to 30 s.
     */
    @WithDefault("2s")
    Duration infrastructureRetryDelay();

    /**
     * Tries of a record that keeps failing with an exception Courier does not classify (not an outage of PostgreSQL,
     * Redis or Kafka, which is waited out): then it is dead-lettered as INTERNAL, so it cannot hold its partition.
     */
    @WithDefault("5")
    @Min(1)
    int maxInfrastructureAttempts();

    /**
     * Liveness goes DOWN when a poll loop has not gone round for this long (stuck, or failing to start again while
     * the broker is unreachable), or has had unfinished records for this long while none of its jobs started, ended a
     * try or
     * had a LinkedIn call answered (a job that never returns), so Kubernetes restarts a pod that does no work.
     */
    @WithDefault("2m")
    Duration livenessTimeout();

    /**
     * per-account: while a job of an account waits in a retry tier or is parked, the account's later jobs on that
     * topic wait behind it and run in order after it; relaxed: they run as they come.
     */
    @WithDefault("per-account")
    Ordering ordering();

    /**
     * A first-in-line job that should have come back this long ago and has not (its record lost to a bug) no longer
     * holds its account's later jobs.
     */
    @WithDefault("15m")
    Duration orderingStaleAfter();

    /** How often a job of a paused account or job type looks again whether it may run (it waits in a tier). */
    @WithDefault("10s")
    Duration pauseRecheck();

    /** How often each pod reads the pauses again (job.Pauses): a pause or resume reaches every pod within it. */
    @WithDefault("1s")
    Duration pauseRefresh();

    enum Ordering {
        PER_ACCOUNT, RELAXED
    }
}
