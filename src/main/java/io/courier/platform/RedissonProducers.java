package io.courier.platform;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;

/**
 * Produces the one Redisson client of the process. A plain CDI producer, not the Quarkus extension:
 * the extension only resolves up to 3.38 here and breaks with a 4.x core (PLATFORM-NOTES).
 *
 * <p>Every Redis call is bounded: a command whose answer does not come within courier.redis.timeout is sent again
 * at most courier.redis.retry-attempts times, 200 ms apart, then fails; so a hung Redis holds a job for at most
 * (1 + retry-attempts) × timeout + the retry delays (defaults: 2 × 3 s + 0.2 s), never forever.
 */
@ApplicationScoped
public class RedissonProducers {

    static final Duration RETRY_DELAY = Duration.ofMillis(200);

    @Produces
    @ApplicationScoped
    RedissonClient redisson(RedisConfig redis) {
        return Redisson.create(trust(config(redis.url(), redis.database(), redis.timeout(), redis.connectTimeout(),
                redis.retryAttempts()), redis.sslTruststore(), redis.sslTruststorePassword()));
    }

    static Config config(String url, int database, Duration timeout, Duration connectTimeout, int retryAttempts) {
        URI uri = parse(url);
        Config config = new Config();
        config.setUsername(username(uri));
        config.setPassword(password(uri));
        config.useSingleServer()
                .setAddress(uri.getScheme() + "://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 6379 : uri.getPort()))
                .setDatabase(database(uri, database))
                .setConnectTimeout(millis("courier.redis.connect-timeout", connectTimeout))
                .setTimeout(millis("courier.redis.timeout", timeout))
                .setRetryAttempts(attempts(retryAttempts))
                .setRetryDelay(new ConstantDelay(RETRY_DELAY));
        return config;
    }

    /**
     * The database a URL names (redis://host:6379/2, the usual form), else courier.redis.database. Before, the URL's
     * path was dropped without a word and such a URL used database 0.
     */
    static int database(URI uri, int configured) {
        String path = uri.getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return configured;
        }
        try {
            int db = Integer.parseInt(path.substring(1));
            if (db < 0) {
                throw new NumberFormatException();
            }
            return db;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(
                    "courier.redis.url: its path must be a database number (redis://host:6379/2), was " + path);
        }
    }

    /** Checks REDIS_URL and the timeouts first thing at start-up; connecting waits until Redis is first needed. */
    void checkAtStartup(@Observes @Priority(10) StartupEvent event, RedisConfig redis) {
        trust(config(redis.url(), 0, redis.timeout(), redis.connectTimeout(), redis.retryAttempts()),
                redis.sslTruststore(), Optional.empty());
    }

    /**
     * rediss:// against a private CA: the truststore (PKCS12, e.g. mounted from a Secret) that Redisson checks the
     * server's certificate with. Without it, the JVM's default CAs.
     */
    static Config trust(Config config, Optional<String> truststore, Optional<String> password) {
        if (truststore.isPresent()) {
            Path file = Path.of(truststore.get());
            if (!Files.isReadable(file)) {
                throw new ConfigurationException("courier.redis.ssl-truststore: cannot read " + file);
            }
            try {
                config.setSslTruststore(file.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new ConfigurationException("courier.redis.ssl-truststore is not a file path: " + file);
            }
            password.ifPresent(config::setSslTruststorePassword);
        }
        return config;
    }

    private static int millis(String property, Duration value) {
        if (value.isNegative() || value.isZero() || value.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ConfigurationException(property + " must be between 1ms and 10m, was " + value);
        }
        return Math.toIntExact(value.toMillis());
    }

    private static int attempts(int retryAttempts) {
        if (retryAttempts < 0 || retryAttempts > 10) {
            throw new ConfigurationException(
                    "courier.redis.retry-attempts must be between 0 and 10, was " + retryAttempts);
        }
        return retryAttempts;
    }

    void close(@Disposes RedissonClient client) {
        client.shutdown();
    }

    private static URI parse(String url) {
        try {
            URI uri = URI.create(url);
            if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("scheme must be redis:// or rediss:// with a host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            // Never echo the URL: it may carry a password.
            throw new ConfigurationException(
                    "courier.redis.url (REDIS_URL) is not a redis://host:port URL: " + e.getMessage());
        }
    }

    /** redis://user:secret@host: a Redis 6 ACL user (AUTH user secret); none for redis://:secret@host. */
    private static String username(URI uri) {
        String userInfo = uri.getUserInfo();
        int colon = userInfo == null ? -1 : userInfo.indexOf(':');
        return colon <= 0 ? null : userInfo.substring(0, colon);
    }

    /** redis://:secret@host or redis://user:secret@host: Redis AUTH takes the part after ':'. */
    private static String password(URI uri) {
        String userInfo = uri.getUserInfo();
        if (userInfo == null || userInfo.isEmpty()) {
            return null;
        }
        int colon = userInfo.indexOf(':');
        return colon < 0 ? userInfo : userInfo.substring(colon + 1);
    }
}
