package io.courier.auth;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The per-address limit of /oauth/* (issue #15): past it, 429 with Retry-After before any Redis or database work.
 * The address is the TCP peer, or the client a trusted proxy names when quarkus.http.proxy.* is set (README).
 */
public class OAuthRateLimitFilter {

    private static final Logger LOG = Logger.getLogger(OAuthRateLimitFilter.class);
    private final OAuthRateLimiter limiter;

    OAuthRateLimitFilter(OAuthRateLimiter limiter) {
        this.limiter = limiter;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> limit(ContainerRequestContext request, HttpServerRequest http) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/oauth/")) {
            return Optional.empty();
        }
        String address = http.remoteAddress() == null ? "unknown" : http.remoteAddress().hostAddress();
        Optional<Duration> wait = limiter.refuse(address);
        if (wait.isEmpty()) {
            return Optional.empty();
        }
        LOG.debugf("oauth request rate-limited address=%s", address);
        return Optional.of(OAuthPages.page(request.getHeaders().get(HttpHeaders.ACCEPT), 429, "rate_limited", null,
                "Too many requests",
                "This address sent too many requests to Courier's sign-in pages. Wait a minute and open your connect link again.")
                .header("Retry-After", String.valueOf(Math.max(1, wait.get().toSeconds()))).build());
    }
}
