package io.courier.linkedin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Where LinkedIn is and how Courier talks to it. Holds the client secret: never add a toString. */
@ConfigMapping(prefix = "courier.linkedin")
public interface LinkedInConfig {

    /** Base of /rest/* and /v2/* (LINKEDIN_API_BASE_URL). */
    URI apiBaseUrl();

    /** Base of /oauth/v2/* (LINKEDIN_OAUTH_BASE_URL). */
    URI oauthBaseUrl();

    /** LinkedIn-Version header, YYYYMM (LINKEDIN_VERSION); each version lives at least 12 months. */
    @Pattern(regexp = "\\d{6}", message = "must be YYYYMM, e.g. 202610")
    String version();

    /** The app's OAuth client id (LINKEDIN_CLIENT_ID). */
    Optional<String> clientId();

    /** The app's OAuth client secret (LINKEDIN_CLIENT_SECRET). */
    Optional<String> clientSecret();

    /** TCP connect timeout of every LinkedIn call. */
    @WithDefault("2s")
    Duration connectTimeout();

    /**
     * Whole-answer deadline of every LinkedIn call, from sending the request to the last byte of the body: an
     * answer still unfinished then is abandoned (its connection closed) and the call fails as a NETWORK timeout.
     */
    @WithDefault("10s")
    Duration requestTimeout();

    /** Whole-exchange deadline of putting one medium's bytes (or one 4 MiB video part) to its upload URL. */
    @WithDefault("5m")
    Duration uploadTimeout();

    /**
     * Most bytes of a successful answer's body Courier reads (a larger one fails naming this property); error
     * bodies are read up to 64 KiB only, enough for LinkedIn's JSON and the start of an HTML page.
     */
    @WithDefault("4194304")
    @Min(1024)
    int maxResponseBytes();

    /**
     * LinkedIn API calls in flight at once in this process. Only the call itself holds a slot: a job looking up
     * its account or recording its outcome does not, so the pod keeps this many calls going while other jobs do
     * their database and Redis steps (courier.worker.concurrency bounds the jobs in progress).
     */
    @WithDefault("64")
    @Min(1)
    @Max(10000)
    int maxCallsInFlight();

    /**
     * The day LinkedIn stops taking the configured version (its sunset table, linkedin-api.md §3); by default the
     * version's month plus 12 months, the least LinkedIn promises.
     */
    Optional<java.time.LocalDate> versionSunset();

    /** From this long before the sunset the log warns at start and readiness says "warning". */
    @WithDefault("60d")
    Duration versionWarnBefore();
}
