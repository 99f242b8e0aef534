package io.courier.worker;

import io.courier.job.JobEnvelope;
import io.courier.job.JobRef;
import io.courier.platform.Outputs;
import io.courier.retry.RetryState;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One run of one valid job record: what every step after validation needs. {@code inLane}: the job has a place in
 * its account's lane (AccountLanes), known from the preflight; it leaves the lane when it ends.
 */
record JobRun(ConsumerRecord<String, byte[]> record, Outputs outputs, JobEnvelope job, RetryState state,
        Instant started, boolean inLane) {

    JobRun(ConsumerRecord<String, byte[]> record, Outputs outputs, JobEnvelope job, RetryState state,
            Instant started) {
        this(record, outputs, job, state, started, false);
    }

    JobRun withLane(boolean inLane) {
        return new JobRun(record, outputs, job, state, started, inLane);
    }

    String typeTag() {
        return job.type().wireName();
    }

    JobRef ref() {
        return JobRef.of(job);
    }
}
