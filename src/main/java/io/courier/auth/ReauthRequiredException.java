package io.courier.auth;

/** The account's grant is dead and it waits for re-authorization; its jobs are parked, not run. */
public final class ReauthRequiredException extends RuntimeException {

    public ReauthRequiredException(String accountId, String reason) {
        super("account " + accountId + " needs re-authorization: " + reason, null, false, false);
    }
}
