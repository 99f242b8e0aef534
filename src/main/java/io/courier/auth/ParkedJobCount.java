package io.courier.auth;

/**
 * How many jobs wait for an account's re-authorization, for the account events' {@code parkedJobs}. The worker parks
 * jobs and owns their table; auth may not import the worker, so the worker implements this.
 */
public interface ParkedJobCount {

    long of(String accountId);
}
