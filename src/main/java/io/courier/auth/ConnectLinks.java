package io.courier.auth;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Connect links: the only way into /oauth/connect. A link names the account, its expiry, a nonce and whether it
 * may bind another member, and carries an HMAC-SHA256 of them under courier.oauth.link-key, so a product holding
 * the key can sign links without calling Courier (README "Connect links"). Single use is OAuthStates' job (the
 * nonce is claimed once in Redis).
 */
@Startup
@ApplicationScoped
class ConnectLinks {

    /** What a valid link authorizes. */
    record Link(String accountId, Instant expires, String nonce, boolean allowRebind) {}

    /** A minted link: the URL to send the member to, and when it stops working. */
    record Minted(URI url, Instant expiresAt) {}

    /** What a link's query parameters are worth. */
    sealed interface Verdict {
        /** A link Courier or the product signed, unexpired. */
        record Valid(Link link) implements Verdict {}

        /** Why a link is not valid; the code goes into the page and the log (never the signature). */
        record Invalid(String code, String reason) implements Verdict {}
    }

    static final String VERSION = "courier-connect-v1";
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,128}");
    private static final Pattern EPOCH = Pattern.compile("[0-9]{1,12}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Optional<SecretKeySpec> key;
    private final OAuthConfig config;
    private final Clock clock;
    private final String connectUrl;

    ConnectLinks(OAuthConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.key = config.linkKey().filter(k -> !k.isBlank()).map(ConnectLinks::decodeKey);
        this.connectUrl = config.redirectUri().substring(0, config.redirectUri().length() - "callback".length())
                + "connect";
    }

    private static SecretKeySpec decodeKey(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("courier.oauth.link-key (COURIER_CONNECT_LINK_KEY) is not base64", e);
        }
        if (bytes.length < 32) {
            throw new IllegalStateException(
                    "courier.oauth.link-key (COURIER_CONNECT_LINK_KEY) must be at least 32 random bytes, got "
                            + bytes.length);
        }
        return new SecretKeySpec(bytes, "HmacSHA256");
    }

    boolean enabled() {
        return key.isPresent();
    }

    /** A new link for the account, valid for courier.oauth.link-ttl. */
    Minted mint(String accountId, boolean allowRebind) {
        byte[] nonce = new byte[24];
        RANDOM.nextBytes(nonce);
        Link link = new Link(accountId, clock.instant().plus(config.linkTtl()).truncatedTo(ChronoUnit.SECONDS),
                Base64.getUrlEncoder().withoutPadding().encodeToString(nonce), allowRebind);
        String url = connectUrl + "?accountId=" + URLEncoder.encode(accountId, StandardCharsets.UTF_8)
                + "&expires=" + link.expires().getEpochSecond() + "&nonce=" + link.nonce()
                + "&rebind=" + (allowRebind ? "1" : "0") + "&sig=" + signature(link);
        return new Minted(URI.create(url), link.expires());
    }

    /** The link these query parameters make, or why they make none. Pure but for the clock. */
    Verdict verify(String accountId, String expires, String nonce, String rebind, String sig) {
        if (key.isEmpty()) {
            return invalid("links_disabled", "connect links are off: set COURIER_CONNECT_LINK_KEY");
        }
        if (sig == null) {
            return invalid("link_required", "this address is not a connect link (it has no signature)");
        }
        if (accountId == null || !AccountResource.ACCOUNT_ID.matcher(accountId).matches() || expires == null
                || !EPOCH.matcher(expires).matches() || nonce == null || !NONCE.matcher(nonce).matches()
                || !("0".equals(rebind) || "1".equals(rebind)) || sig == null || sig.length() > 64) {
            return invalid("link_invalid", "a parameter of the link is missing or malformed");
        }
        Link link = new Link(accountId, Instant.ofEpochSecond(Long.parseLong(expires)), nonce, "1".equals(rebind));
        // Constant-time comparison: the answer's timing must not reveal how much of a forged signature matched.
        if (!MessageDigest.isEqual(signature(link).getBytes(StandardCharsets.US_ASCII),
                sig.getBytes(StandardCharsets.US_ASCII))) {
            return invalid("link_invalid", "the link's signature does not match");
        }
        Instant now = clock.instant();
        if (!link.expires().isAfter(now)) {
            return invalid("link_expired", "the link expired at " + link.expires());
        }
        if (link.expires().isAfter(now.plus(config.linkMaxTtl()))) {
            return invalid("link_invalid",
                    "the link expires more than courier.oauth.link-max-ttl (" + config.linkMaxTtl() + ") ahead");
        }
        return new Verdict.Valid(link);
    }

    private static Verdict invalid(String code, String reason) {
        return new Verdict.Invalid(code, reason);
    }

    /** base64url(HMAC-SHA256(key, "courier-connect-v1\n{accountId}\n{expires}\n{nonce}\n{0|1}")), as README shows. */
    private String signature(Link link) {
        String message = VERSION + "\n" + link.accountId() + "\n" + link.expires().getEpochSecond() + "\n"
                + link.nonce()
                + "\n" + (link.allowRebind() ? "1" : "0");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key.orElseThrow());
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
