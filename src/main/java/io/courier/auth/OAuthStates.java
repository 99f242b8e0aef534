package io.courier.auth;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The OAuth {@code state} of connects and the used nonces of connect links, in Redis so that the callback may land on
 * any pod. Everything lives under {@code courier:oauth:} (never near the quota buckets), and the states alive at once
 * are capped (courier.oauth.max-live-states), so a flood of connects cannot grow Redis past a known size. Redis keeps
 * only a hash of each state: a key listing reveals no state a callback would accept.
 */
@ApplicationScoped
class OAuthStates {

    /** What a state stands for: the account being connected and whether the link allowed another member. */
    record ConnectState(String accountId, boolean allowRebind) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    // One hash tag: the script touches the live set and a state key, which must share a Redis Cluster slot.
    private static final String LIVE = "courier:oauth:{states}:live";
    private static final String STATE = "courier:oauth:{states}:s:";
    private static final String USED_LINK = "courier:oauth:used-link:";
    /**
     * Drops ended states from the live set, refuses when the set is full, else adds the state. Redis's clock, so
     * pods with skewed clocks agree on what has ended.
     */
    private static final String ISSUE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local ttl = tonumber(ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
            redis.call('ZADD', KEYS[1], now + ttl, ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ttl)
            redis.call('SET', KEYS[2], ARGV[4], 'PX', ttl)
            return 1""";

    private final RedissonClient redisson;
    private final OAuthConfig config;
    private final Clock clock;

    OAuthStates(RedissonClient redisson, OAuthConfig config, Clock clock) {
        this.redisson = redisson;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Marks a link's nonce used, until the link would have expired anyway. False when it was used before: a link
     * works once.
     */
    boolean claimLink(ConnectLinks.Link link) {
        Duration left = Duration.between(clock.instant(), link.expires());
        if (left.isNegative() || left.isZero()) {
            return false;
        }
        // Kept past the link's end by the longest a link may live: a pod whose clock runs behind must not find the
        // nonce gone while the link is still valid by its own clock.
        return redisson.<String>getBucket(USED_LINK + link.nonce(), StringCodec.INSTANCE)
                .setIfAbsent("1", left.plus(config.linkMaxTtl()));
    }

    /** Gives a claimed link back (its connect could not start), so the member may open it again. */
    void releaseLink(ConnectLinks.Link link) {
        redisson.getBucket(USED_LINK + link.nonce(), StringCodec.INSTANCE).delete();
    }

    /** A new state for this connect; empty when courier.oauth.max-live-states are alive (nothing was written). */
    Optional<String> issue(ConnectState connect) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String state = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String hash = hash(state);
        Long issued = redisson.getScript(StringCodec.INSTANCE).eval(RScript.Mode.READ_WRITE, ISSUE,
                RScript.ReturnType.LONG,
                List.of(LIVE, STATE + hash), String.valueOf(config.stateTtl().toMillis()),
                String.valueOf(config.maxLiveStates()), hash,
                (connect.allowRebind() ? "1:" : "0:") + connect.accountId());
        return issued != null && issued == 1 ? Optional.of(state) : Optional.empty();
    }

    /** What the state was issued for; empty when unknown, expired or already used (then it is gone). */
    Optional<ConnectState> take(String state) {
        if (state.length() > 128) {
            return Optional.empty();
        }
        String hash = hash(state);
        String value = redisson.<String>getBucket(STATE + hash, StringCodec.INSTANCE).getAndDelete();
        if (value == null) {
            return Optional.empty();
        }
        redisson.getScoredSortedSet(LIVE, StringCodec.INSTANCE).remove(hash);
        return Optional.of(new ConnectState(value.substring(2), value.startsWith("1:")));
    }

    /** base64url(SHA-256(state)): what Redis and the browser's cookie hold instead of the state. */
    static String hash(String state) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(state.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
