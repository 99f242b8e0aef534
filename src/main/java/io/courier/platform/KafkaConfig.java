package io.courier.platform;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;

/** Where Kafka is and how Courier's clients talk to it. */
@ConfigMapping(prefix = "courier.kafka")
public interface KafkaConfig {

    /** Kafka brokers, host:port[,host:port]; from KAFKA_BOOTSTRAP_SERVERS. */
    @NotBlank
    String bootstrapServers();

    /** Consumer group shared by every Courier pod. */
    @WithDefault("courier")
    String groupId();

    /** How long a produce (result, DLQ) may take before the job is handed back uncommitted. */
    @WithDefault("30s")
    Duration produceTimeout();

    /**
     * Largest record Courier sends to Kafka, in bytes: its producers' max.request.size and the limit every result,
     * retry record and dead letter is kept within (RecordLimit). Keep it at or below the brokers' message.max.bytes
     * and the topics' max.message.bytes (Kafka's defaults: 1 MiB and a few bytes).
     */
    @WithDefault("1048576")
    @Min(262144)
    int maxRequestSize();
}
