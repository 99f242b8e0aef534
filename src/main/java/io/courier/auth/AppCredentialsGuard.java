package io.courier.auth;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;

/**
 * The app-wide breaker for APP_CREDENTIALS: once LinkedIn refuses the client id or secret, no pod refreshes any
 * token until the pause ends (a Redis key with a TTL, so every pod sees it and it heals by itself once an
 * operator fixed the secret). Meanwhile jobs are delayed, readiness is down, and
 * {@code courier_app_credentials_refused} is 1 for the alert.
 */
@ApplicationScoped
public class AppCredentialsGuard {

    private static final Logger LOG = Logger.getLogger(AppCredentialsGuard.class);
    static final String KEY = "courier:app-credentials:refused";

    private final RedissonClient redisson;
    private final Duration pause;

    AppCredentialsGuard(RedissonClient redisson, TokenLifecycleConfig config, MeterRegistry metrics) {
        this.redisson = redisson;
        this.pause = config.appCredentialsPause();
        Gauge.builder("courier.app.credentials.refused", this, g -> g.refusal().isPresent() ? 1 : 0)
                .description("1 while LinkedIn refuses the app's client credentials and refreshes are paused")
                .register(metrics);
    }

    /** LinkedIn refused the app's credentials: pause every pod's refreshes. */
    public void trip(String reason) {
        bucket().set(reason, pause);
        LOG.errorf("LinkedIn refused the app's client credentials; token refreshes paused for %s on every pod. "
                + "Check LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET. reason=%s", pause, reason);
    }

    /** Why refreshes are paused, while they are. */
    public Optional<String> refusal() {
        try {
            return Optional.ofNullable(bucket().get());
        } catch (RuntimeException e) {
            return Optional.empty(); // Redis itself is down: its own check says so
        }
    }

    /** Readiness is down while LinkedIn refuses the app: an operator must act, and the alert says so. */
    @Readiness
    @ApplicationScoped
    static class AppCredentialsReadiness implements HealthCheck {
        private final AppCredentialsGuard guard;

        AppCredentialsReadiness(AppCredentialsGuard guard) {
            this.guard = guard;
        }

        @Override
        public HealthCheckResponse call() {
            Optional<String> refusal = guard.refusal();
            return refusal.isEmpty()
                    ? HealthCheckResponse.up("linkedin-app-credentials")
                    : HealthCheckResponse.named("linkedin-app-credentials").down().withData("reason", refusal.get())
                            .build();
        }
    }

    private RBucket<String> bucket() {
        return redisson.getBucket(KEY, org.redisson.client.codec.StringCodec.INSTANCE);
    }
}
