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
 * Liveness of the poll loops: DOWN when one has not gone round within courier.worker.liveness-timeout (stuck, or unable
 * to start again), or when it has unfinished records but none of its jobs got anywhere for that long (a job that never
 * returns, job threads all blocked: the loop goes round, the partition never commits). Kubernetes then restarts a pod
 * that looks healthy but does no work. An outage waited out is progress (each try ends), and so is a long sync (each
 * page answered), so neither restarts a pod.
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
            Duration round = Duration.between(loop.heartbeat(), now);
            Duration progress = Duration.between(loop.progress(), now);
            health.withData(loop.name(), "last round " + round.toMillis() + " ms ago, last progress "
                    + progress.toMillis() + " ms ago");
            if (!live(round, progress, config.livenessTimeout())) {
                health.down();
            }
        }
        return health.build();
    }

    static boolean live(Duration sinceRound, Duration sinceProgress, Duration timeout) {
        return sinceRound.compareTo(timeout) <= 0 && sinceProgress.compareTo(timeout) <= 0;
    }
}
