package io.courier.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** When tokens are refreshed, how refreshes are fenced across pods, and how long an account's jobs may wait. */
@ConfigMapping(prefix = "courier.tokens")
public interface TokenLifecycleConfig {

    /** Refresh an access token this long before it ends (LinkedIn's last 60 days). */
    @WithDefault("1d")
    Duration refreshAhead();

    /**
     * How long a pod holds an account's refresh lock at most. A bounded lease, not Redisson's watchdog: a stalled
     * holder loses the lock, and the token row's version stops its late write.
     */
    @WithDefault("30s")
    Duration lockLease();

    /** How long a job waits for another pod's refresh of the same account before it is delayed instead. */
    @WithDefault("20s")
    Duration lockWait();

    /** A job parked this long waiting for re-authorization goes to the dead-letter topic as REAUTH_REQUIRED. */
    @WithDefault("7d")
    Duration maxPark();

    /** reauth-soon events, once per threshold before the refresh token's end. */
    @WithDefault("30d,7d")
    List<Duration> reauthSoonThresholds();

    /** reauth-soon thresholds for accounts without a refresh token, before the access token's end. */
    @WithDefault("7d,1d")
    List<Duration> reauthSoonThresholdsWithoutRefresh();

    /** How often one pod scans accounts for grants about to end or already dead. */
    @WithDefault("1h")
    Duration scanInterval();

    /** How often each pod publishes pending account events and releases or expires parked jobs. */
    @WithDefault("500ms")
    Duration relayInterval();

    /** After LinkedIn refuses the app's credentials, no pod refreshes any token for this long. */
    @WithDefault("5m")
    Duration appCredentialsPause();
}
