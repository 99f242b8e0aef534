package io.courier.platform;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Where Redis is and how long Courier waits for it (RedissonProducers checks the ranges at start-up, naming the
 * property). Holds the truststore password and, in the URL, Redis's: never add a toString.
 */
@ConfigMapping(prefix = "courier.redis")
public interface RedisConfig {

    /**
     * redis://host:port, rediss:// for TLS (REDIS_URL); the password and a Redis ACL user go in the URL
     * (rediss://user:password@host:6379), a path picks the database (redis://host:6379/2).
     */
    String url();

    /** The database when the URL names none. */
    @WithDefault("0")
    int database();

    /** Each command waits at most this long for its answer (1ms to 10m). */
    @WithDefault("3s")
    Duration timeout();

    /** TCP connect timeout (1ms to 10m). */
    @WithDefault("2s")
    Duration connectTimeout();

    /** Times a command that got no answer within the timeout is sent again (0 to 10). */
    @WithDefault("1")
    int retryAttempts();

    /** rediss:// against a private CA: a PKCS12 truststore file (e.g. mounted from a Secret); none: the JVM's CAs. */
    Optional<String> sslTruststore();

    /** The truststore's password. */
    Optional<String> sslTruststorePassword();
}
