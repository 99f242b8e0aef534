package io.courier.linkedin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.jboss.logging.Logger;
import org.redisson.api.RBucket;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The configured LinkedIn-Version's life (linkedin-api.md §3): LinkedIn sunsets each version after at least 12 months
 * and then answers 426 NONEXISTENT_VERSION to every call with it, for every account at once. The first 426 any pod
 * sees closes the version for all of them: a Redis key (read at start and every few seconds) and a message on a
 * Redis topic (so the others stop within milliseconds, not at their next read). From then on no call is made with it:
 * jobs wait in the tiers (VERSION_INACTIVE, no attempt) until pods with a newer LINKEDIN_VERSION run them; the key
 * names the version, so a new version starts open. Before that, the sunset date warns: at start, in readiness and
 * in {@code courier_linkedin_version_sunset_seconds}.
 */
@ApplicationScoped
public class LinkedInVersion implements VersionGate {

    private static final Logger LOG = Logger.getLogger(LinkedInVersion.class);
    private static final String KEY_PREFIX = "courier:linkedin-version:inactive:";
    private static final String TOPIC = "courier:linkedin-version:inactive";
    private static final DateTimeFormatter YYYYMM = DateTimeFormatter.ofPattern("yyyyMM");

    private final String version;
    private final LocalDate sunset;
    private final Duration warnBefore;
    private final RedissonClient redisson;
    private final Clock clock;
    /** LinkedIn's message of the 426 that closed the version; null while it is active. */
    private volatile String inactive;

    LinkedInVersion(LinkedInConfig config, RedissonClient redisson, Clock clock, MeterRegistry metrics) {
        this.version = config.version();
        this.sunset = config.versionSunset().orElseGet(() -> defaultSunset(config.version()));
        this.warnBefore = config.versionWarnBefore();
        this.redisson = redisson;
        this.clock = clock;
        Gauge.builder("courier.linkedin.version.active", this, v -> v.inactive == null ? 1 : 0)
                .description("1 while LinkedIn takes the configured LinkedIn-Version, 0 once it answered 426")
                .tag("version", version).register(metrics);
        // Seconds, Prometheus's base unit (promtool refuses _days); the dashboard shows them as days.
        Gauge.builder("courier.linkedin.version.sunset.seconds", this, v -> v.daysLeft() * 86_400d)
                .description("Seconds until the configured LinkedIn-Version's sunset (courier.linkedin.version-sunset),"
                        + " counted in whole days; negative after it")
                .tag("version", version).register(metrics);
    }

    /** The least LinkedIn promises: a version lives 12 months from its month's first day. */
    static LocalDate defaultSunset(String version) {
        return YearMonth.parse(version, YYYYMM).plusMonths(12).atDay(1);
    }

    void start(@Observes StartupEvent event) {
        try {
            redisson.getTopic(TOPIC, StringCodec.INSTANCE).addListener(String.class, (channel, closed) -> {
                if (closed.equals(version)) {
                    refresh();
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf("LinkedIn-Version notices not subscribed yet, read every few seconds cause=%s", e.getMessage());
        }
        refresh();
        long days = daysLeft();
        if (inactive == null && days <= warnBefore.toDays()) {
            LOG.warnf("LinkedIn-Version %s sunsets on %s (%d days): deploy a newer LINKEDIN_VERSION before then,"
                    + " or every LinkedIn call will fail with 426", version, sunset, days);
        }
    }

    @Override
    public void check(String endpoint) {
        String message = inactive;
        if (message != null) {
            throw new LinkedInVersionInactiveException(endpoint, version, message);
        }
    }

    @Override
    public void inactive(String endpoint, String message) {
        if (inactive != null) {
            return;
        }
        inactive = message;
        LOG.errorf("LinkedIn answered 426 on %s: LinkedIn-Version %s is not active. No call is made with it from now"
                + " on, on any pod; jobs wait (nothing is dead-lettered for it) until a newer LINKEDIN_VERSION is"
                + " deployed. linkedin=%s", endpoint, version, message);
        try {
            bucket().set(message);
            topic().publish(version);
        } catch (RuntimeException e) {
            LOG.warnf("other pods not told of the inactive LinkedIn-Version yet cause=%s", e.getMessage());
        }
    }

    /** The key, read every few seconds: what closes the version on a pod that missed the topic's message. */
    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refresh() {
        try {
            String seen = bucket().get();
            if (seen != null && inactive == null) {
                inactive = seen;
                LOG.errorf("LinkedIn-Version %s is not active (another pod saw LinkedIn's 426); no call is made with"
                        + " it from now on. linkedin=%s", version, seen);
            }
        } catch (RuntimeException e) {
            LOG.debugf("LinkedIn-Version state not read cause=%s", e.getMessage());
        }
    }

    /** For readiness: "ok", "warning: …" within courier.linkedin.version-warn-before, or "degraded: …". */
    public String status() {
        if (inactive != null) {
            return "degraded: LinkedIn-Version " + version + " is not active";
        }
        long days = daysLeft();
        return days <= warnBefore.toDays()
                ? "warning: LinkedIn-Version " + version + " sunsets on " + sunset + " (" + days + " days left)"
                : "ok";
    }

    public String version() {
        return version;
    }

    private long daysLeft() {
        return ChronoUnit.DAYS.between(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC), sunset);
    }

    private RBucket<String> bucket() {
        return redisson.getBucket(KEY_PREFIX + version, StringCodec.INSTANCE);
    }

    private RTopic topic() {
        return redisson.getTopic(TOPIC, StringCodec.INSTANCE);
    }

    /** The key of a version, for tests that close or reopen it. */
    static String keyOf(String version) {
        return KEY_PREFIX + version;
    }
}
