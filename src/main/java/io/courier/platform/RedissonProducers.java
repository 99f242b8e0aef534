package io.courier.platform;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.net.URI;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Produces the one Redisson client of the process. A plain CDI producer, not the Quarkus extension:
 * the extension only resolves up to 3.38 here and breaks with a 4.x core (PLATFORM-NOTES).
 */
@ApplicationScoped
public class RedissonProducers {

    @Produces
    @ApplicationScoped
    RedissonClient redisson(@ConfigProperty(name = "courier.redis.url") String url,
                            @ConfigProperty(name = "courier.redis.database", defaultValue = "0") int database) {
        URI uri = parse(url);
        Config config = new Config();
        config.setPassword(password(uri));
        config.useSingleServer()
                .setAddress(uri.getScheme() + "://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 6379 : uri.getPort()))
                .setDatabase(database)
                .setConnectTimeout(2_000)
                .setTimeout(2_000)
                .setRetryAttempts(1);
        return Redisson.create(config);
    }

    /** Checks REDIS_URL first thing at start-up; connecting waits until Redis is first needed (it may be down). */
    void checkUrlAtStartup(@Observes @Priority(10) StartupEvent event,
                           @ConfigProperty(name = "courier.redis.url") String url) {
        parse(url);
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
            throw new ConfigurationException("courier.redis.url (REDIS_URL) is not a redis://host:port URL: " + e.getMessage());
        }
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
