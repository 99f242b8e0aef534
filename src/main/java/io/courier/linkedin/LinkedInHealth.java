package io.courier.linkedin;

import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * LinkedIn's circuit breakers in readiness: always UP (taking every pod out of service would not make LinkedIn
 * answer), but "degraded" with the open breakers named, for dashboards and people.
 */
@Readiness
@ApplicationScoped
public class LinkedInHealth implements HealthCheck {

    private static final List<String> BREAKERS = Breakers.NAMES;

    private final CircuitBreakerMaintenance breakers;

    LinkedInHealth(CircuitBreakerMaintenance breakers) {
        this.breakers = breakers;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder health = HealthCheckResponse.named("linkedin").up();
        List<String> open = BREAKERS.stream().filter(b -> breakers.currentState(b) != CircuitBreakerState.CLOSED)
                .toList();
        BREAKERS.forEach(b -> health.withData(b, breakers.currentState(b).name()));
        return health.withData("status", open.isEmpty() ? "ok" : "degraded: " + String.join(", ", open)).build();
    }
}
