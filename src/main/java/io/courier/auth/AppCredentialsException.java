package io.courier.auth;

/** LinkedIn refuses the app's client credentials: no token can be refreshed until an operator fixes them. */
public final class AppCredentialsException extends RuntimeException {

    public AppCredentialsException(String reason) {
        super("LinkedIn refuses the app's client credentials (check LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET): "
                + reason, null, false, false);
    }
}
