package io.courier.worker;

import io.courier.job.JobEnvelope;
import io.courier.job.JobRef;
import io.courier.platform.Outputs;
import io.courier.retry.RetryState;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** One run of one valid job record: what every step after validation needs. */
record JobRun(ConsumerRecord<String, byte[]> record, Outputs outputs, JobEnvelope job, RetryState state,
        Instant started) {

    String typeTag() {
        return job.type().wireName();
    }

    JobRef ref() {
        return JobRef.of(job);
    }
}
