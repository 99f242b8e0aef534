package io.courier.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import jakarta.validation.constraints.Pattern;

/** The OAuth connect flow: where LinkedIn sends the member back, and what Courier asks for. */
@ConfigMapping(prefix = "courier.oauth")
public interface OAuthConfig {

    /**
     * The public URL of /oauth/callback, exactly as registered in LinkedIn's Developer Portal
     * (COURIER_OAUTH_REDIRECT_URI). Default: http://localhost:{HTTP_PORT}/oauth/callback.
     */
    @Pattern(regexp = "https?://.+", message = "must be an absolute http(s) URL, as registered with LinkedIn")
    String redirectUri();

    /** Scopes requested at connect. */
    @WithDefault("openid,profile,email,w_member_social")
    List<String> scopes();

    /** How long a connect link's state stays valid (single use). */
    @WithDefault("10m")
    Duration stateTtl();
}
