package io.courier.job;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** Names of Courier's Kafka topics (CONTRACT §3) and whether Courier may create the missing ones. */
@ConfigMapping(prefix = "courier.topics")
public interface TopicsConfig {

    /** Post jobs (post.create). */
    @WithDefault("linkedin.jobs.post")
    @NotBlank
    String post();

    /** Sync jobs (sync.*). */
    @WithDefault("linkedin.jobs.sync")
    @NotBlank
    String sync();

    /** Dead letters: the original bytes plus failure headers. */
    @WithDefault("linkedin.jobs.dlq")
    @NotBlank
    String deadLetter();

    /** One result event per finished job. */
    @WithDefault("linkedin.jobs.results")
    @NotBlank
    String results();

    /** Account events (re-auth required / soon / resolved). */
    @WithDefault("linkedin.auth.events")
    @NotBlank
    String authEvents();

    /** Create missing topics at start-up (off where topics are managed elsewhere, e.g. Strimzi). */
    @WithDefault("true")
    boolean createMissing();

    /** Partitions of job topics Courier creates; more partitions, more accounts in parallel across pods. */
    @WithDefault("6")
    @Min(1)
    int jobPartitions();

    /** Partitions of the other topics Courier creates. */
    @WithDefault("3")
    @Min(1)
    int otherPartitions();

    /** Replication factor of created topics; 1 suits a local broker only. */
    @WithDefault("1")
    @Min(1)
    short replicationFactor();

    default String forType(JobType type) {
        return type.isPost() ? post() : sync();
    }

    /**
     * Where Courier may write a job again (a replay, a released parked job): the topic it came from when that is a job
     * topic, else its type's topic, else none. Never any other topic, whatever a stored row names.
     */
    default java.util.Optional<String> jobTopic(String original, java.util.Optional<JobType> type) {
        return original.equals(post()) || original.equals(sync())
                ? java.util.Optional.of(original)
                : type.map(this::forType);
    }
}
