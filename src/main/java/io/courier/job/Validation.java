package io.courier.job;

import java.util.Optional;

/** The verdict on one record: a job to run, or why it is not one. */
public sealed interface Validation {

    record Valid(JobEnvelope job) implements Validation {}

    /**
     * The record breaks a rule. What could be read of it (job id, type, account) is kept for the DLQ headers
     * and the result event; the message names the field.
     */
    record Invalid(String message, Optional<String> jobId, Optional<String> type, Optional<String> accountId)
            implements
                Validation {}
}
