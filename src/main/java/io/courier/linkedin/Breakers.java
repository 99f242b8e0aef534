package io.courier.linkedin;

import io.courier.job.LinkedInOperation;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * LinkedIn's circuit breakers (one per operation, LinkedInOperation.breaker, on LinkedInClient's methods),
 * asked whether a failed call belongs to an outage the breaker has seen: such a call is not the job's attempt
 * (CONTRACT §4), so a long outage delays jobs instead of using up their retries.
 */
@ApplicationScoped
public class Breakers {

    static final List<String> NAMES = Arrays.stream(LinkedInOperation.values()).map(op -> op.breaker).toList();

    private final CircuitBreakerMaintenance breakers;

    Breakers(CircuitBreakerMaintenance breakers) {
        this.breakers = breakers;
    }

    /**
     * True when the failure never reached LinkedIn (the open breaker refused the call) or when the resource's breaker
     * is open now that the call failed (the call tripped it, or was the half-open trial of an outage still going on).
     */
    public boolean duringOutage(RuntimeException failure) {
        return switch (failure) {
            case CircuitBreakerOpenException refused -> true;
            case LinkedInServerException e -> isOpen(e.endpoint());
            case LinkedInUnreachableException e -> isOpen(e.endpoint());
            default -> false;
        };
    }

    /** Each LinkedIn breaker's state on this pod (breakers are per process). */
    public java.util.Map<String, String> states() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        NAMES.forEach(name -> out.put(name, breakers.currentState(name).name()));
        return out;
    }

    private boolean isOpen(String endpoint) {
        return LinkedInOperation.ofEndpoint(endpoint)
                .map(op -> breakers.currentState(op.breaker) == CircuitBreakerState.OPEN).orElse(false);
    }
}
