package io.courier.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.auth.ConnectLinks.Verdict;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Connect links' signature, expiry and field checks (no I/O). */
class ConnectLinksTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
    private final ConnectLinks links = new ConnectLinks(config(Optional.of(KEY)), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aMintedLinkVerifiesAndNamesItsAccountAndRebind() {
        ConnectLinks.Minted minted = links.mint("acct-42", true);
        assertThat(minted.url().toString()).startsWith("https://courier.example.com/oauth/connect?accountId=acct-42&");
        assertThat(minted.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(15)));
        Verdict verdict = verify(query(minted.url()));
        assertThat(verdict).isInstanceOfSatisfying(Verdict.Valid.class, v -> {
            assertThat(v.link().accountId()).isEqualTo("acct-42");
            assertThat(v.link().allowRebind()).isTrue();
        });
    }

    @Test
    void changingAnyFieldBreaksTheSignature() {
        Map<String, String> q = query(links.mint("acct-42", false).url());
        for (var change : List.of(Map.entry("accountId", "acct-43"), Map.entry("rebind", "1"),
                Map.entry("expires", String.valueOf(NOW.getEpochSecond() + 60)), Map.entry("nonce", "A".repeat(32)))) {
            Map<String, String> tampered = new LinkedHashMap<>(q);
            tampered.put(change.getKey(), change.getValue());
            assertThat(verify(tampered)).as(change.getKey())
                    .isEqualTo(new Verdict.Invalid("link_invalid", "the link's signature does not match"));
        }
    }

    @Test
    void expiredOrTooDistantLinksAreRefused() {
        Map<String, String> q = query(links.mint("acct-42", false).url());
        ConnectLinks later = new ConnectLinks(config(Optional.of(KEY)),
                Clock.fixed(NOW.plus(Duration.ofMinutes(16)), ZoneOffset.UTC));
        assertThat(later.verify(q.get("accountId"), q.get("expires"), q.get("nonce"), q.get("rebind"), q.get("sig")))
                .isInstanceOfSatisfying(Verdict.Invalid.class, i -> assertThat(i.code()).isEqualTo("link_expired"));
        ConnectLinks earlier = new ConnectLinks(config(Optional.of(KEY)),
                Clock.fixed(NOW.minus(Duration.ofHours(2)), ZoneOffset.UTC));
        assertThat(earlier.verify(q.get("accountId"), q.get("expires"), q.get("nonce"), q.get("rebind"), q.get("sig")))
                .isInstanceOfSatisfying(Verdict.Invalid.class,
                        i -> assertThat(i.reason()).contains("courier.oauth.link-max-ttl"));
    }

    @Test
    void noKeyNoLinksAndAShortKeyFailsTheStartNamingTheProperty() {
        ConnectLinks off = new ConnectLinks(config(Optional.empty()), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(off.enabled()).isFalse();
        assertThat(off.verify("acct-42", "1", "n".repeat(16), "0", "x"))
                .isInstanceOfSatisfying(Verdict.Invalid.class, i -> assertThat(i.code()).isEqualTo("links_disabled"));
        assertThatThrownBy(() -> new ConnectLinks(config(Optional.of("c2hvcnQ=")), Clock.systemUTC()))
                .hasMessageContaining("courier.oauth.link-key").hasMessageContaining("COURIER_CONNECT_LINK_KEY");
    }

    private Verdict verify(Map<String, String> q) {
        return links.verify(q.get("accountId"), q.get("expires"), q.get("nonce"), q.get("rebind"), q.get("sig"));
    }

    private static Map<String, String> query(URI url) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : url.getRawQuery().split("&")) {
            q.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        return q;
    }

    /**
     * The settings ConnectLinks reads. A dynamic proxy, not a class implementing the mapping: a class would inherit
     * its validation annotations, which Quarkus's build rejects on a non-bean.
     */
    private static OAuthConfig config(Optional<String> key) {
        Map<String, Object> values = Map.of("redirectUri", "https://courier.example.com/oauth/callback",
                "linkKey", key, "linkTtl", Duration.ofMinutes(15), "linkMaxTtl", Duration.ofHours(1));
        return (OAuthConfig) Proxy.newProxyInstance(OAuthConfig.class.getClassLoader(),
                new Class<?>[] {OAuthConfig.class},
                (proxy, method, args) -> values.get(method.getName()));
    }
}
