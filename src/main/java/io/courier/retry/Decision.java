package io.courier.retry;

import java.time.Instant;

/**
 * What to do after a failed run, and the job's attempts once it is done (whether the run's calls count is the
 * policy's to say). A closed set: switches over it need no default, so a new case cannot be forgotten.
 */
public sealed interface Decision {

    /** The job's attempts after this run. */
    int attempts();

    /** Run the job again at {@code dueAt}, through the retry tiers. */
    record RetryLater(Instant dueAt, int attempts) implements Decision {}

    record DeadLetter(ErrorClass errorClass, String reason, int attempts) implements Decision {}

    /** Hold the job until the account is re-authorized, or until courier.tokens.max-park. */
    record Park(int attempts) implements Decision {}

    /** The failure means the job is done (LinkedIn already has the post: a duplicate). */
    record TreatAsSuccess(int attempts) implements Decision {}
}
