package io.courier.platform;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.redisson.api.RedissonClient;

/**
 * Readiness of the dependencies Courier cannot work without. PostgreSQL is checked by the Quarkus datasource
 * health check. Liveness stays up during an outage on purpose: restarting a pod does not bring Kafka back.
 */
@ApplicationScoped
public class DependencyHealthChecks {

    @Readiness
    @ApplicationScoped
    static class KafkaReadiness implements HealthCheck {
        private final Admin admin;
        private final KafkaClientProperties props;

        KafkaReadiness(Admin admin, KafkaClients clients) {
            this.admin = admin;
            this.props = clients.passThrough();
        }

        @Override
        public HealthCheckResponse call() {
            try {
                int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
                        .nodes().get(3, TimeUnit.SECONDS).size();
                return HealthCheckResponse.named("kafka").up().withData("brokers", nodes).build();
            } catch (Exception e) {
                // Credentials revoked or rotated on one side only: say which setting, not just "ExecutionException".
                String error = KafkaCredentialCheck.refusal(e, props).orElse(e.getClass().getSimpleName());
                return HealthCheckResponse.named("kafka").down().withData("error", error).build();
            }
        }
    }

    @Readiness
    @ApplicationScoped
    static class RedisReadiness implements HealthCheck {
        private final RedissonClient redisson;

        RedisReadiness(RedissonClient redisson) {
            this.redisson = redisson;
        }

        @Override
        public HealthCheckResponse call() {
            try {
                redisson.getBucket("courier:health:ping").isExists();
                return HealthCheckResponse.named("redis").up().build();
            } catch (Exception e) {
                return HealthCheckResponse.named("redis").down().withData("error", e.getClass().getSimpleName())
                        .build();
            }
        }
    }
}
