package io.courier.auth;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests to /oauth/* per client address, counted in fixed windows in this pod's memory
 * (courier.oauth.rate-limit.*). In memory on purpose: a flood must not cost a Redis write per request, which is what
 * it would take to count it across pods; with N pods an address gets at most N times the limit. One map per window:
 * when a window ends the next starts empty, so nothing is ever scanned on a request. At most max-clients addresses
 * have their own count in a window; beyond that new ones share one budget, so the map stays bounded and a flood from
 * many addresses is limited as a whole. IPv6 addresses count per /64, what one host or customer usually gets.
 */
@ApplicationScoped
class OAuthRateLimiter {

    static final String OVERFLOW = "*";

    private record Window(long startMillis, ConcurrentHashMap<String, Integer> counts) {}

    private volatile Window window = new Window(0, new ConcurrentHashMap<>());
    private final int requests;
    private final long windowMillis;
    private final int maxClients;
    private final Clock clock;

    @jakarta.inject.Inject
    OAuthRateLimiter(OAuthConfig config, Clock clock) {
        this(config.rateLimit().requests(), config.rateLimit().window(), config.rateLimit().maxClients(), clock);
    }

    OAuthRateLimiter(int requests, Duration window, int maxClients, Clock clock) {
        this.requests = requests;
        this.windowMillis = window.toMillis();
        this.maxClients = maxClients;
        this.clock = clock;
    }

    /** Counts one request of the address; when over the limit, how long until its window ends. */
    Optional<Duration> refuse(String address) {
        long now = clock.millis();
        Window w = current(now);
        String key = client(address);
        if (!w.counts().containsKey(key) && w.counts().size() >= maxClients) {
            key = OVERFLOW;
        }
        int count = w.counts().merge(key, 1, Integer::sum);
        return count <= requests
                ? Optional.empty()
                : Optional.of(Duration.ofMillis(Math.max(1000, w.startMillis() + windowMillis - now)));
    }

    /** This window, or a fresh one when it ended (windows are aligned, so every request agrees on which). */
    private Window current(long now) {
        long start = now - Math.floorMod(now, windowMillis);
        Window w = window;
        if (w.startMillis() != start) {
            synchronized (this) {
                w = window;
                if (w.startMillis() != start) {
                    w = new Window(start, new ConcurrentHashMap<>());
                    window = w;
                }
            }
        }
        return w;
    }

    /** The address, or its /64 for IPv6. Only an IPv6 literal is parsed (no name lookup happens for those). */
    static String client(String address) {
        if (address.indexOf(':') < 0) {
            return address;
        }
        try {
            byte[] bytes = java.net.InetAddress.getByName(address).getAddress();
            if (bytes.length != 16) {
                return address;
            }
            return java.util.HexFormat.of().formatHex(bytes, 0, 8) + "/64";
        } catch (java.net.UnknownHostException e) {
            return address;
        }
    }
}
