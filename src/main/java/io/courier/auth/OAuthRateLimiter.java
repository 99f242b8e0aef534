package io.courier.auth;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests to /oauth/* per client address, counted in fixed windows in this pod's memory
 * (courier.oauth.rate-limit.*). In memory on purpose: a flood must not cost a Redis write per request, which is what
 * it would take to count it across pods; with N pods an address gets at most N times the limit. At most
 * max-clients addresses are tracked; once that many are, new ones share one budget, so a flood from many addresses
 * is limited as a whole and the map stays bounded.
 */
@ApplicationScoped
class OAuthRateLimiter {

    static final String OVERFLOW = "*";

    private record Window(long startMillis, int count) {}

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final OAuthConfig.RateLimit config;
    private final Clock clock;

    OAuthRateLimiter(OAuthConfig config, Clock clock) {
        this.config = config.rateLimit();
        this.clock = clock;
    }

    /** Counts one request of the address; when over the limit, how long until its window ends. */
    Optional<Duration> refuse(String address) {
        long now = clock.millis();
        long windowMillis = config.window().toMillis();
        String key = windows.containsKey(address) || roomFor(now, windowMillis) ? address : OVERFLOW;
        Window w = windows.compute(key, (k, old) -> old == null || now - old.startMillis() >= windowMillis
                ? new Window(now, 1) : new Window(old.startMillis(), old.count() + 1));
        return w.count() <= config.requests() ? Optional.empty()
                : Optional.of(Duration.ofMillis(Math.max(1000, w.startMillis() + windowMillis - now)));
    }

    /** Whether a new address may have its own window, dropping ended windows when the map is full. */
    private boolean roomFor(long now, long windowMillis) {
        if (windows.size() < config.maxClients()) {
            return true;
        }
        windows.values().removeIf(w -> now - w.startMillis() >= windowMillis);
        return windows.size() < config.maxClients();
    }
}
