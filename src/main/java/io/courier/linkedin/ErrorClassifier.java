package io.courier.linkedin;

import static io.courier.retry.ErrorClass.AUTH_EXPIRED;
import static io.courier.retry.ErrorClass.BAD_REQUEST;
import static io.courier.retry.ErrorClass.DUPLICATE;
import static io.courier.retry.ErrorClass.PERMISSION_DENIED;
import static io.courier.retry.ErrorClass.QUOTA_EXHAUSTED;
import static io.courier.retry.ErrorClass.RATE_LIMITED;
import static io.courier.retry.ErrorClass.REAUTH_REQUIRED;
import static io.courier.retry.ErrorClass.SERVER_ERROR;
import static io.courier.retry.ErrorClass.VERSION_UNSUPPORTED;

import io.courier.retry.ErrorClass;
import io.courier.retry.Failure;
import java.util.Optional;
import java.util.OptionalInt;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/** Maps each LinkedIn answer to one error class, in one place (CONTRACT §4, linkedin-api.md §2). */
public final class ErrorClassifier {

    private ErrorClassifier() {}

    public static ErrorClass classify(LinkedInError e) {
        return switch (e.status()) {
            case 401 -> e.serviceErrorCode().orElse(0) == 65601 ? REAUTH_REQUIRED : AUTH_EXPIRED;
            case 403 -> PERMISSION_DENIED;
            case 422 -> e.hasInputError("DUPLICATE_POST") ? DUPLICATE : BAD_REQUEST;
            case 426 -> VERSION_UNSUPPORTED;
            case 429 -> e.isDailyLimit() ? QUOTA_EXHAUSTED : RATE_LIMITED;
            case 500, 502, 503, 504 -> SERVER_ERROR;
            default -> e.code().filter("VERSION_MISSING"::equals).isPresent() ? VERSION_UNSUPPORTED : BAD_REQUEST;
        };
    }

    /** A client exception as a Failure value, with everything the DLQ headers need. */
    public static Failure toFailure(RuntimeException exception) {
        return switch (exception) {
            case LinkedInException e ->
                new Failure(classify(e.error()), e.getMessage(), OptionalInt.of(e.error().status()),
                        e.error().code(), e.error().serviceErrorCode(), e.error().linkedinRequestId(),
                        e.error().retryAfter());
            case LinkedInUnreachableException e -> new Failure(ErrorClass.NETWORK, e.getMessage(), OptionalInt.empty(),
                    Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty());
            // An open breaker means LinkedIn has been failing: wait like for a 5xx, through the tiers, not the DLQ.
            case CircuitBreakerOpenException e -> new Failure(ErrorClass.SERVER_ERROR,
                    "circuit breaker open: LinkedIn has been failing on this resource (" + e.getMessage() + ")",
                    OptionalInt.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty());
            default -> throw new IllegalArgumentException("not a LinkedIn failure: " + exception.getClass().getName(),
                    exception);
        };
    }
}
