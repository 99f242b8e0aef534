package io.courier.retry;

import io.courier.job.JobRef;
import io.courier.job.TopicsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import io.courier.platform.Outbox;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

/** Writes a dead letter: the original key and value bytes, unchanged, plus the failure headers. */
@ApplicationScoped
public class DeadLetterWriter {

    private static final Logger LOG = Logger.getLogger(DeadLetterWriter.class);

    private final TopicsConfig topics;
    private final MeterRegistry metrics;

    DeadLetterWriter(TopicsConfig topics, MeterRegistry metrics) {
        this.topics = topics;
        this.metrics = metrics;
    }

    public void write(Outbox outbox, ConsumerRecord<String, byte[]> original, JobRef job, Failure failure,
                      RetryState state, Instant lastFailure) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.deadLetter(), null, original.key(),
                original.value(), CourierHeaders.deadLetter(original, job, failure, state, lastFailure));
        outbox.add(record);
        Counter.builder("courier.dead.letters").description("Jobs dead-lettered, by error class")
                .tag("class", failure.errorClass().name()).register(metrics).increment();
        LOG.infof("job dead-lettered errorClass=%s jobId=%s accountId=%s from=%s-%d@%d reason=%s",
                failure.errorClass(), job.jobId().orElse("-"), job.accountId().orElse("-"),
                state.originalTopic(), state.originalPartition(), state.originalOffset(), failure.message());
    }
}
