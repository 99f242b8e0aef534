package io.courier.job;

import java.util.Optional;

/** What identifies a job in headers and results, as far as it could be read (an invalid record may lack all). */
public record JobRef(Optional<String> jobId, Optional<String> type, Optional<String> accountId) {

    public static JobRef of(JobEnvelope job) {
        return new JobRef(Optional.of(job.jobId()), Optional.of(job.type().wireName()), Optional.of(job.accountId()));
    }

    public static JobRef of(Validation.Invalid invalid) {
        return new JobRef(invalid.jobId(), invalid.type(), invalid.accountId());
    }

    public static JobRef of(Validation.Cancel cancel) {
        return new JobRef(Optional.of(cancel.jobId()), Optional.of(Validation.Cancel.TYPE),
                Optional.of(cancel.accountId()));
    }

    /** A result event needs at least a job id and an account to be useful to anyone. */
    public boolean canReportResult() {
        return jobId.isPresent() && accountId.isPresent();
    }
}
