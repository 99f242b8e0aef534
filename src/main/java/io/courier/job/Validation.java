package io.courier.job;

import java.time.Instant;
import java.util.Optional;

/** The verdict on one record: a job to run, a cancel of one, or why it is neither. */
public sealed interface Validation {

    record Valid(JobEnvelope job) implements Validation {}

    /** A {@code job.cancel} control message: the account's job of that id is not to run (CONTRACT §3). */
    record Cancel(String accountId, String jobId, Instant createdAt) implements Validation {

        /** The control message's own wire name, a type of record but not of job. */
        public static final String TYPE = "job.cancel";
    }

    /**
     * The record breaks a rule. What could be read of it (job id, type, account) is kept for the DLQ headers
     * and the result event; the message names the field.
     */
    record Invalid(String message, Optional<String> jobId, Optional<String> type, Optional<String> accountId)
            implements
                Validation {}
}
