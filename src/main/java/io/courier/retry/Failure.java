package io.courier.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One failed attempt with what the DLQ headers and the retry policy need. Never holds a token.
 *
 * @param linkedInCode LinkedIn's {@code code} field (e.g. {@code ACCESS_DENIED}), when it sent one
 * @param serviceErrorCode LinkedIn's {@code serviceErrorCode} (e.g. 65601), when it sent one
 * @param linkedinRequestId the {@code x-li-uuid} response header; LinkedIn support asks for it
 */
public record Failure(ErrorClass errorClass, String message, OptionalInt httpStatus,
        Optional<String> linkedInCode, OptionalInt serviceErrorCode,
        Optional<String> linkedinRequestId, Optional<Duration> retryAfter) {

    public Failure {
        Objects.requireNonNull(errorClass, "errorClass");
        Objects.requireNonNull(message, "message");
    }

    /** A failure found before any call to LinkedIn (bad input, unknown account). */
    public static Failure of(ErrorClass errorClass, String message) {
        return new Failure(errorClass, message, OptionalInt.empty(), Optional.empty(), OptionalInt.empty(),
                Optional.empty(), Optional.empty());
    }
}
