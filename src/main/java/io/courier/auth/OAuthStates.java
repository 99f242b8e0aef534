package io.courier.auth;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The OAuth {@code state} of connect links: random, single use, expiring (courier.oauth.state-ttl), kept in Redis so
 * that the callback may land on any pod.
 */
@ApplicationScoped
class OAuthStates {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final RedissonClient redisson;
    private final OAuthConfig config;

    OAuthStates(RedissonClient redisson, OAuthConfig config) {
        this.redisson = redisson;
        this.config = config;
    }

    /** A new state for this account's connect link. */
    String issue(String accountId) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String state = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        redisson.<String>getBucket(key(state), StringCodec.INSTANCE).set(accountId, config.stateTtl());
        return state;
    }

    /** The account the state was issued for; empty when unknown, expired or already used (then it is gone). */
    Optional<String> take(String state) {
        return Optional.ofNullable(redisson.<String>getBucket(key(state), StringCodec.INSTANCE).getAndDelete());
    }

    private static String key(String state) {
        return "courier:oauth-state:" + state;
    }
}
