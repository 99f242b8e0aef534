package io.courier.linkedin;

/** Lets a test compare tokens; production code outside this package cannot read one. */
public final class BearerTokens {

    private BearerTokens() {}

    public static String reveal(BearerToken token) {
        return token.reveal();
    }
}
