package io.courier.worker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Records not yet read, per topic, from a consumer's own fetch positions (no broker round trip):
 * {@code courier_consumer_lag{topic}}. For the retry tiers this is how much work is waiting. Poll thread only.
 */
final class LagGauges {

    private final MeterRegistry metrics;
    private final Clock clock;
    private final Map<String, AtomicLong> byTopic = new ConcurrentHashMap<>();
    private Instant measuredAt = Instant.EPOCH;

    LagGauges(MeterRegistry metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    /** At most once a second. */
    void measure(KafkaConsumer<String, byte[]> consumer) {
        Instant now = clock.instant();
        if (now.isBefore(measuredAt.plusSeconds(1))) {
            return;
        }
        measuredAt = now;
        Map<String, Long> sums = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            consumer.currentLag(tp).ifPresent(lag -> sums.merge(tp.topic(), lag, Long::sum));
        }
        byTopic.keySet().forEach(topic -> sums.putIfAbsent(topic, 0L));
        sums.forEach((topic, lag) -> byTopic.computeIfAbsent(topic, t -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("courier.consumer.lag", value, AtomicLong::get).description("Records not yet read, per topic")
                    .tag("topic", t).register(metrics);
            return value;
        }).set(lag));
    }
}
