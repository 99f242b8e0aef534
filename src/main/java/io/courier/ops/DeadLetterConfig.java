package io.courier.ops;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/** The dead-letter index and replay (courier.dead-letters.*). */
@ConfigMapping(prefix = "courier.dead-letters")
public interface DeadLetterConfig {

    /** Index linkedin.jobs.dlq into PostgreSQL (one indexer per pod; they share the topic's partitions). */
    @WithDefault("true")
    boolean indexerEnabled();

    /** How often the indexer's lag behind the end of the dead-letter topic is measured (courier_dlq_indexer_lag_*). */
    @WithDefault("30s")
    Duration lagInterval();

    /** Replayed jobs per second at most, across a replay. */
    @WithDefault("5")
    @DecimalMin("0.1")
    double replayRate();

    /** A replay never takes more than this share of the remaining daily application budget of a resource. */
    @WithDefault("0.5")
    @DecimalMin("0")
    @DecimalMax("1")
    double replayBudgetShare();

    /** A job already replayed this many times is refused unless the replay is forced. */
    @WithDefault("3")
    @Min(0)
    int maxReplays();

    /** Replayed or discarded rows older than this are deleted (new ones never are). */
    @WithDefault("30d")
    Duration retention();
}
