package io.courier.retry;

import java.time.Instant;

/** What to do after a failure. A closed set: switches over it need no default, so a new case cannot be forgotten. */
public sealed interface Decision {

    /** Run the job again at {@code dueAt}, through the retry tiers. */
    record RetryLater(Instant dueAt, boolean countsAsAttempt) implements Decision {}

    record DeadLetter(ErrorClass errorClass, String reason) implements Decision {}

    /** Hold the job until the account is re-authorized, or until courier.tokens.max-park. */
    record Park() implements Decision {}

    record TreatAsSuccess() implements Decision {}
}
