package io.courier.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenCipherTest {

    private static final String KEY_A = Base64.getEncoder()
            .encodeToString("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes());
    private static final String KEY_B = Base64.getEncoder()
            .encodeToString("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".getBytes());

    record Config(String tokenKey, String tokenKeyId, Map<String, String> retiredKeys) implements AuthConfig {
        @Override
        public Duration tokenRowsInterval() {
            return Duration.ofMinutes(1);
        }
    }

    @Test
    void roundTripsAndNeverStoresPlaintext() {
        TokenCipher cipher = new TokenCipher(new Config(KEY_A, "a", Map.of()));
        String token = "AQUvlL_secret-token-value";
        byte[] sealed = cipher.encrypt(token, "acct-1", "access_token");
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(token);
        assertThat(cipher.decrypt(sealed, "a", "acct-1", "access_token")).isEqualTo(token);
    }

    @Test
    void sameTokenEncryptsDifferentlyEachTime() {
        TokenCipher cipher = new TokenCipher(new Config(KEY_A, "a", Map.of()));
        assertThat(cipher.encrypt("t", "acct-1", "access_token"))
                .isNotEqualTo(cipher.encrypt("t", "acct-1", "access_token"));
    }

    @Test
    void ciphertextMovedToAnotherAccountOrColumnDoesNotDecrypt() {
        TokenCipher cipher = new TokenCipher(new Config(KEY_A, "a", Map.of()));
        byte[] sealed = cipher.encrypt("token", "acct-1", "access_token");
        assertThatThrownBy(() -> cipher.decrypt(sealed, "a", "acct-2", "access_token"))
                .hasMessageNotContaining("token\"");
        assertThatThrownBy(() -> cipher.decrypt(sealed, "a", "acct-1", "refresh_token"))
                .isInstanceOf(TokenCipher.UnreadableTokenException.class);
    }

    @Test
    void readsTokensWrittenWithARetiredKey() {
        byte[] old = new TokenCipher(new Config(KEY_A, "a", Map.of())).encrypt("token", "acct-1", "access_token");
        TokenCipher rotated = new TokenCipher(new Config(KEY_B, "b", Map.of("a", KEY_A)));
        assertThat(rotated.currentKeyId()).isEqualTo("b");
        assertThat(rotated.decrypt(old, "a", "acct-1", "access_token")).isEqualTo("token");
        assertThatThrownBy(
                () -> new TokenCipher(new Config(KEY_B, "b", Map.of())).decrypt(old, "a", "acct-1", "access_token"))
                .hasMessageContaining("courier.auth.retired-keys");
    }

    @Test
    void refusesAKeyThatIsNot256BitsNamingTheProperty() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> new TokenCipher(new Config(shortKey, "a", Map.of())))
                .hasMessageContaining("courier.auth.token-key").hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new TokenCipher(new Config("not base64!", "a", Map.of())))
                .hasMessageContaining("COURIER_TOKEN_KEY");
    }

    @Test
    void aTokenNoConfiguredKeyOpensIsUnreadableNamingTheKeyId() {
        byte[] old = new TokenCipher(new Config(KEY_A, "a", Map.of())).encrypt("secret-token", "acct-1",
                "access_token");
        TokenCipher rotatedAway = new TokenCipher(new Config(KEY_B, "b", Map.of()));
        assertThatThrownBy(() -> rotatedAway.decrypt(old, "a", "acct-1", "access_token"))
                .isInstanceOfSatisfying(TokenCipher.UnreadableTokenException.class,
                        e -> assertThat(e.keyId()).isEqualTo("a"))
                .hasMessageContaining("'a'").hasMessageNotContaining("secret-token");
        TokenCipher replacedUnderTheSameId = new TokenCipher(new Config(KEY_B, "a", Map.of()));
        assertThatThrownBy(() -> replacedUnderTheSameId.decrypt(old, "a", "acct-1", "access_token"))
                .isInstanceOf(TokenCipher.UnreadableTokenException.class).hasMessageContaining("'a'")
                .hasMessageContaining("another key");
        assertThatThrownBy(() -> replacedUnderTheSameId.decrypt(new byte[5], "a", "acct-1", "access_token"))
                .isInstanceOf(TokenCipher.UnreadableTokenException.class);
    }
}
