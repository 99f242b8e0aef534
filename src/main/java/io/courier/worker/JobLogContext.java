package io.courier.worker;

import io.courier.job.JobRef;
import io.courier.tracing.JobTracing;
import org.jboss.logging.MDC;

/**
 * Puts a job's identity into the logging MDC for the duration of its run, so every log line carries it, and on the
 * run's span (the account hashed there).
 */
final class JobLogContext implements AutoCloseable {

    private JobLogContext() {}

    static JobLogContext open(JobRef job) {
        job.jobId().ifPresent(v -> MDC.put("jobId", v));
        job.accountId().ifPresent(v -> MDC.put("accountId", v));
        job.type().ifPresent(v -> MDC.put("jobType", v));
        JobTracing.describe(job.type(), job.jobId(), job.accountId());
        return new JobLogContext();
    }

    @Override
    public void close() {
        MDC.remove("jobId");
        MDC.remove("accountId");
        MDC.remove("jobType");
    }
}
