package io.courier.ops;

import io.courier.job.TopicsConfig;
import io.courier.platform.KafkaConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * How far the dead-letter index is behind the dead-letter topic: {@code courier_dlq_indexer_lag_records} (records
 * past the indexer group's committed offsets) and {@code courier_dlq_indexer_lag_seconds} (how long it has not been
 * caught up). Measured from the broker (committed offsets against the topic's end), not from the indexer's own
 * consumer, so that an indexer that is stuck, failing or not running at all shows lag too: dead letters not indexed
 * within the topic's retention are lost with their payloads (alert CourierDeadLetterIndexerBehind).
 */
@ApplicationScoped
class DeadLetterIndexLag {

    private static final Logger LOG = Logger.getLogger(DeadLetterIndexLag.class);

    private final Admin admin;
    private final TopicsConfig topics;
    private final String group;
    private final Clock clock;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong seconds = new AtomicLong();
    private volatile Instant caughtUpAt;

    DeadLetterIndexLag(Admin admin, TopicsConfig topics, KafkaConfig kafka, Clock clock, MeterRegistry metrics) {
        this.admin = admin;
        this.topics = topics;
        this.group = kafka.groupId() + DeadLetterIndexer.GROUP_SUFFIX;
        this.clock = clock;
        this.caughtUpAt = clock.instant();
        Gauge.builder("courier.dlq.indexer.lag.records", records, AtomicLong::get)
                .description("dead letters on the topic not yet indexed into PostgreSQL").register(metrics);
        Gauge.builder("courier.dlq.indexer.lag.seconds", seconds, AtomicLong::get)
                .description("how long the dead-letter index has not been caught up with its topic").register(metrics);
    }

    @Scheduled(every = "${courier.dead-letters.lag-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void measure() {
        try {
            String topic = topics.deadLetter();
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            // The last stable offset: what a read_committed indexer can reach (an open transaction's records cannot).
            Map<TopicPartition, Long> ends = offsets(partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> starts = offsets(partitions, OffsetSpec.earliest());
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            long behind = ends.entrySet().stream().mapToLong(e -> {
                OffsetAndMetadata at = committed.get(e.getKey());
                // Nothing committed yet: everything from the earliest offset still needs indexing.
                long from = at == null ? starts.get(e.getKey()) : Math.max(at.offset(), starts.get(e.getKey()));
                return Math.max(0, e.getValue() - from);
            }).sum();
            Instant now = clock.instant();
            if (behind == 0) {
                caughtUpAt = now;
            }
            // Seconds first: whoever sees the records at 0 sees the seconds at 0 too.
            seconds.set(Math.max(0, now.getEpochSecond() - caughtUpAt.getEpochSecond()));
            records.set(behind);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Kafka unreachable: the gauges keep their last values (its own alerts and readiness report the outage).
            LOG.debugf("dead-letter index lag not measured cause=%s", e.getMessage());
        }
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        return admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> spec)),
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS)
                .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
}
