package io.courier.linkedin;

import java.util.Locale;
import java.util.Optional;

/**
 * LinkedIn's token endpoint said no (linkedin-api.md §1), sorted into what the caller must do about it. The
 * message carries LinkedIn's error and description, never a token, code or secret.
 */
public final class OAuthException extends RuntimeException {

    public enum Kind {
        /** The grant is dead: invalid_grant, or invalid_request "…invalid, expired or revoked". Re-authorize. */
        DEAD_GRANT,
        /** The app's client id or secret was refused. Nothing works until an operator fixes them. */
        APP_CREDENTIALS,
        /** An authorization code was not found, expired, already used, or issued for another redirect URI. */
        CODE_REJECTED,
        /** LinkedIn found our request malformed (a missing parameter): a bug on our side, not the member's. */
        REQUEST_REJECTED,
        /** 5xx, 429 or an unreadable answer: says nothing about the grant; try again later. */
        TRANSIENT
    }

    private final Kind kind;
    private final int status;
    private final Optional<String> error;

    public OAuthException(Kind kind, int status, Optional<String> error, String description) {
        super("token endpoint answered " + status + " " + error.orElse("(no error)") + ": " + description, null, false,
                false);
        this.kind = kind;
        this.status = status;
        this.error = error;
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return status;
    }

    /** LinkedIn's `error` field, e.g. invalid_request. */
    public Optional<String> error() {
        return error;
    }

    /**
     * Sorts a token-endpoint error answer. LinkedIn answers a dead refresh token with invalid_request, not
     * invalid_grant.
     */
    static Kind classify(int status, String error, String description) {
        String text = description == null ? "" : description.toLowerCase(Locale.ROOT);
        if (status >= 500 || status == 429 || error == null) {
            return Kind.TRANSIENT;
        }
        return switch (error) {
            case "invalid_grant" -> Kind.DEAD_GRANT;
            case "invalid_client_id", "invalid_client", "unauthorized_client" -> Kind.APP_CREDENTIALS;
            case "invalid_redirect_uri" -> Kind.CODE_REJECTED;
            case "invalid_request" -> text.contains("invalid, expired or revoked")
                    ? Kind.DEAD_GRANT
                    : text.contains("authorization code") ? Kind.CODE_REJECTED : Kind.REQUEST_REJECTED;
            default -> Kind.REQUEST_REJECTED;
        };
    }
}
