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
 * LinkedIn's circuit breakers and LinkedIn-Version in readiness: always UP (taking every pod out of service would
 * not make LinkedIn answer, and would take the admin API away), but "degraded" with the open breakers named or the
 * inactive version, and "warning" before the version's sunset, for dashboards and people.
 */
@Readiness
@ApplicationScoped
public class LinkedInHealth implements HealthCheck {

    private static final List<String> BREAKERS = Breakers.NAMES;

    private final CircuitBreakerMaintenance breakers;
    private final LinkedInVersion version;

    LinkedInHealth(CircuitBreakerMaintenance breakers, LinkedInVersion version) {
        this.breakers = breakers;
        this.version = version;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder health = HealthCheckResponse.named("linkedin").up();
        List<String> open = BREAKERS.stream().filter(b -> breakers.currentState(b) != CircuitBreakerState.CLOSED)
                .toList();
        BREAKERS.forEach(b -> health.withData(b, breakers.currentState(b).name()));
        String versionStatus = version.status();
        health.withData("version", version.version()).withData("version-status", versionStatus);
        String status = versionStatus.startsWith("degraded")
                ? versionStatus
                : !open.isEmpty()
                        ? "degraded: " + String.join(", ", open)
                        : versionStatus;
        return health.withData("status", status).build();
    }
}
