package io.courier.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The OAuth connect flow: who may start it (connect links), where LinkedIn sends the member back, what Courier asks
 * for.
 */
@ConfigMapping(prefix = "courier.oauth")
public interface OAuthConfig {

    /**
     * The public URL of /oauth/callback, exactly as registered in LinkedIn's Developer Portal
     * (COURIER_OAUTH_REDIRECT_URI). Default: http://localhost:{HTTP_PORT}/oauth/callback. Connect links point at
     * /oauth/connect next to it.
     */
    @Pattern(regexp = "https?://.+/oauth/callback", message = "must be the absolute http(s) URL of /oauth/callback, as registered with LinkedIn")
    String redirectUri();

    /** Scopes requested at connect (a reconnect also asks for those of the account's scopes that jobs use). */
    @WithDefault("openid,profile,email,w_member_social")
    List<String> scopes();

    /** How long an OAuth state stays valid once a link was opened (single use). */
    @WithDefault("10m")
    Duration stateTtl();

    /**
     * Base64 of at least 32 random bytes (COURIER_CONNECT_LINK_KEY): the HMAC-SHA256 key of connect links, shared
     * with a product that signs its own. Without it no link is valid and the admin API mints none.
     */
    Optional<String> linkKey();

    /** Life of a link minted by POST /admin/accounts/{accountId}/connect-link. */
    @WithDefault("15m")
    Duration linkTtl();

    /**
     * A link expiring further ahead than this is refused (a product's signing bug must not make links that never end).
     */
    @WithDefault("1h")
    Duration linkMaxTtl();

    /** OAuth states alive at once, across all pods; past it /oauth/connect answers 503 until some end. */
    @WithDefault("10000")
    @Min(1)
    int maxLiveStates();

    /** Per-client-address limit of /oauth/* requests (per pod, in memory). */
    RateLimit rateLimit();

    interface RateLimit {
        /** Requests a client address may make per window. */
        @WithDefault("30")
        @Min(1)
        int requests();

        /** The fixed window the requests are counted in. */
        @WithDefault("1m")
        Duration window();

        /** Client addresses tracked at once; beyond it, new addresses share one budget. */
        @WithDefault("100000")
        @Min(1)
        int maxClients();
    }
}
