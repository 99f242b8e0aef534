package io.courier.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.Map;

/** How tokens are protected at rest. Holds secrets: never add a toString. */
@ConfigMapping(prefix = "courier.auth")
public interface AuthConfig {

    /** Base64 of a 256-bit AES key that encrypts tokens at rest (COURIER_TOKEN_KEY). */
    @NotBlank
    String tokenKey();

    /**
     * Name of tokenKey, stored beside every encrypted token so keys can be rotated (COURIER_TOKEN_KEY_ID; its default,
     * k1, is in application.properties with the variable).
     */
    @Pattern(regexp = "[A-Za-z0-9._-]{1,64}")
    String tokenKeyId();

    /** Earlier keys by id, still accepted for reading while rows are re-encrypted with the current key. */
    Map<String, String> retiredKeys();

    /** How often courier_token_rows{key_id} is counted again (a rekey updates it at once). */
    @WithDefault("1m")
    Duration tokenRowsInterval();
}
