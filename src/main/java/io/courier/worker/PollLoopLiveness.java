package io.courier.worker;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness of the poll loops: DOWN when one has not gone round within courier.worker.liveness-timeout, so a pod that
 * looks healthy but does no work (a loop stuck, or unable to start again) is restarted by Kubernetes.
 */
@Liveness
@ApplicationScoped
class PollLoopLiveness implements HealthCheck {

    private final JobConsumer consumer;
    private final WorkerConfig config;
    private final Clock clock;

    PollLoopLiveness(JobConsumer consumer, WorkerConfig config, Clock clock) {
        this.consumer = consumer;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public HealthCheckResponse call() {
        Instant now = clock.instant();
        HealthCheckResponseBuilder health = HealthCheckResponse.named("poll-loops").up();
        for (PollLoop loop : consumer.loops()) {
            Duration since = Duration.between(loop.heartbeat(), now);
            health.withData(loop.name(), "last round " + since.toMillis() + " ms ago");
            if (since.compareTo(config.livenessTimeout()) > 0) {
                health.down();
            }
        }
        return health.build();
    }
}
