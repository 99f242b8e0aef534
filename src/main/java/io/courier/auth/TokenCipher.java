package io.courier.auth;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts tokens with AES-256-GCM before they reach PostgreSQL. Each value gets a fresh 96-bit nonce, and the
 * account id and field name are bound in as associated data, so a ciphertext copied to another row or column
 * fails to decrypt instead of handing one account's token to another.
 */
@ApplicationScoped
public class TokenCipher {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecureRandom random = new SecureRandom();
    private final String currentKeyId;
    private final Map<String, SecretKey> keys = new HashMap<>();

    TokenCipher(AuthConfig config) {
        this.currentKeyId = config.tokenKeyId();
        keys.put(currentKeyId, decodeKey(config.tokenKey(), "courier.auth.token-key (COURIER_TOKEN_KEY)"));
        config.retiredKeys()
                .forEach((id, key) -> keys.putIfAbsent(id, decodeKey(key, "courier.auth.retired-keys." + id)));
    }

    /** Instantiates the cipher first thing at start-up, so a bad key fails the start, not the first job. */
    void checkKeyAtStartup(@Observes @Priority(10) StartupEvent event) {
        // constructing this bean validated the keys
    }

    /** The id of the key new values are encrypted with. */
    public String currentKeyId() {
        return currentKeyId;
    }

    /** The ids of every configured key: the current one and the retired ones. */
    public Set<String> keyIds() {
        return Set.copyOf(keys.keySet());
    }

    /** nonce ‖ ciphertext ‖ tag. */
    public byte[] encrypt(String plaintext, String accountId, String field) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] sealed = run(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), nonce, aad(accountId, field),
                plaintext.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
    }

    /**
     * The plaintext of a stored value.
     *
     * @throws UnreadableTokenException no configured key opens it: its key id is unknown (rotated away), or the key
     * under that id is not the one it was sealed with, or the value was changed
     */
    public String decrypt(byte[] stored, String keyId, String accountId, String field) {
        SecretKey key = keys.get(keyId);
        if (key == null) {
            throw new UnreadableTokenException(keyId, "token of account " + accountId + " is sealed with key '" + keyId
                    + "', which is neither courier.auth.token-key-id ('" + currentKeyId
                    + "') nor in courier.auth.retired-keys");
        }
        if (stored == null || stored.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new UnreadableTokenException(keyId,
                    "token of account " + accountId + " is too short to have been sealed"
                            + " with key '" + keyId + "'");
        }
        byte[] nonce = java.util.Arrays.copyOf(stored, NONCE_BYTES);
        byte[] sealed = java.util.Arrays.copyOfRange(stored, NONCE_BYTES, stored.length);
        try {
            return new String(run(Cipher.DECRYPT_MODE, key, nonce, aad(accountId, field), sealed),
                    StandardCharsets.UTF_8);
        } catch (IllegalStateException e) {
            throw new UnreadableTokenException(keyId,
                    "token of account " + accountId + " does not decrypt with key '" + keyId
                            + "' (" + e.getMessage() + "): it was sealed with another key under that id, or changed");
        }
    }

    /** A stored token that no configured key decrypts. Names the key id, never the token. */
    public static final class UnreadableTokenException extends RuntimeException {
        private final String keyId;

        UnreadableTokenException(String keyId, String message) {
            super(message, null, false, false);
            this.keyId = keyId;
        }

        public String keyId() {
            return keyId;
        }
    }

    /**
     * Ciphers lent out one caller at a time (a Cipher is not thread-safe; each use is initialised afresh with its own
     * nonce): Cipher.getInstance looks the provider up on every call, a visible share of a job's CPU in the
     * topology benchmark's profile (BENCHMARKS.md). The queue holds at most as many as ever ran at once.
     */
    private static final Queue<Cipher> CIPHERS = new ConcurrentLinkedQueue<>();

    private static byte[] run(int mode, SecretKey key, byte[] nonce, byte[] aad, byte[] input) {
        Cipher cipher = CIPHERS.poll();
        try {
            if (cipher == null) {
                cipher = Cipher.getInstance("AES/GCM/NoPadding");
            }
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            byte[] output = cipher.doFinal(input);
            CIPHERS.offer(cipher);
            return output;
        } catch (GeneralSecurityException e) {
            // The message never includes the input: it may be a token.
            throw new IllegalStateException("token " + (mode == Cipher.ENCRYPT_MODE ? "encryption" : "decryption")
                    + " failed: " + e.getClass().getSimpleName());
        }
    }

    private static byte[] aad(String accountId, String field) {
        return (accountId + '\u0000' + field).getBytes(StandardCharsets.UTF_8);
    }

    private static SecretKey decodeKey(String base64, String property) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(property + " must be base64 (e.g. `head -c 32 /dev/urandom | base64`)");
        }
        if (raw.length != 32) {
            throw new ConfigurationException(property + " must decode to 32 bytes (AES-256), got " + raw.length);
        }
        return new SecretKeySpec(raw, "AES");
    }
}
