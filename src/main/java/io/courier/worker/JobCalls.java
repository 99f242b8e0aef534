package io.courier.worker;

import io.courier.auth.AppCredentialsException;
import io.courier.auth.ReauthRequiredException;
import io.courier.auth.TokenRefresher;
import io.courier.auth.TokenStore.AccessGrant;
import io.courier.job.JobControl;
import io.courier.job.JobEnvelope;
import io.courier.linkedin.BearerToken;
import io.courier.linkedin.Breakers;
import io.courier.linkedin.ErrorClassifier;
import io.courier.linkedin.LinkedInException;
import io.courier.linkedin.LinkedInUnreachableException;
import io.courier.linkedin.LinkedInVersionInactiveException;
import io.courier.linkedin.OAuthException;
import io.courier.media.MediaIntake;
import io.courier.quota.QuotaDeniedException;
import io.courier.quota.QuotaGate;
import io.courier.retry.ErrorClass;
import io.courier.retry.Failure;
import io.courier.retry.RetryPolicy;
import io.courier.worker.LinkedInJobs.JobResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.ToIntBiFunction;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * The authorize → budget → call steps of a job: calls LinkedIn with the account's token (refreshed first when it is
 * about to end, or once when LinkedIn says it expired; a revocation re-checked once against the stored token, which
 * another pod may have renewed), each call only after its budgets were debited. Says how the calls ended; what
 * that means for the job is the policy's.
 */
@ApplicationScoped
class JobCalls {

    private static final Logger LOG = Logger.getLogger(JobCalls.class);

    /** How a job's calls ended. {@code calls}: the calls to LinkedIn that were attempts. */
    sealed interface Ending {

        record Succeeded(JobResult result, int calls) implements Ending {}

        /**
         * A failure: an attempt (the last of {@code calls}) or, when {@code attempt} is false, a run that never
         * reached LinkedIn or failed within an outage its breaker saw ({@code calls} were made before it).
         */
        record Failed(Failure failure, RuntimeException cause, int calls, boolean attempt) implements Ending {}

        /** A cancel or a newer version, seen just before the publishing call; {@code calls} were made before. */
        record Stopped(JobControl.Stop stop, int calls) implements Ending {}

        /** A budget had no room for the next call; {@code calls} were made before. */
        record NoBudget(QuotaDeniedException denied, int calls) implements Ending {}
    }

    /** The token steps; TokenRefresher's, an interface so that the loop can be tried alone. */
    interface Tokens {
        boolean dueForRefresh(AccessGrant grant);

        AccessGrant refresh(String accountId, long seenVersion);

        AccessGrant confirmRevoked(String accountId, long seenVersion, String linkedinMessage);
    }

    /** The job's own calls (LinkedInJobs.run): budget, then call, for each call the job needs. */
    interface Calls {
        JobResult run(JobEnvelope job, MediaIntake.Fetched media, BearerToken token);
    }

    private final Tokens tokens;
    private final Calls calls;
    private final BiConsumer<LinkedInException, String> refusals;
    private final Predicate<RuntimeException> duringOutage;
    private final ToIntBiFunction<ErrorClass, Integer> inlineRetries;

    @Inject
    JobCalls(TokenRefresher refresher, LinkedInJobs jobs, QuotaGate quota, Breakers breakers, RetryPolicy policy) {
        this(new Tokens() {
            public boolean dueForRefresh(AccessGrant grant) {
                return refresher.dueForRefresh(grant);
            }

            public AccessGrant refresh(String accountId, long seenVersion) {
                return refresher.refresh(accountId, seenVersion);
            }

            public AccessGrant confirmRevoked(String accountId, long seenVersion, String linkedinMessage) {
                return refresher.confirmRevoked(accountId, seenVersion, linkedinMessage);
            }
        }, jobs::run, quota::linkedInRefused, breakers::duringOutage, policy::inlineRetries);
    }

    JobCalls(Tokens tokens, Calls calls, BiConsumer<LinkedInException, String> refusals,
            Predicate<RuntimeException> duringOutage, ToIntBiFunction<ErrorClass, Integer> inlineRetries) {
        this.tokens = tokens;
        this.calls = calls;
        this.refusals = refusals;
        this.duringOutage = duringOutage;
        this.inlineRetries = inlineRetries;
    }

    /**
     * Runs the job's calls. What ends the loop: every pass makes one call and then returns or uses up one of a fixed
     * budget (the run's one token call, its one revocation re-check, the class's inline retries); a failure of the
     * token endpoint ends the run at once, never retried here. A cancelled job (its partition handed over) makes no
     * inline retry: the next owner runs it.
     */
    Ending run(JobEnvelope job, MediaIntake.Fetched media, AccessGrant grant, int attemptsBefore) {
        boolean tokenCalled = false;
        boolean revokeChecked = false;
        int attempted = 0;
        if (tokens.dueForRefresh(grant)) {
            tokenCalled = true;
            try {
                grant = tokens.refresh(job.accountId(), grant.version());
            } catch (RuntimeException e) {
                return refreshFailed(e, attempted);
            }
        }
        while (true) {
            try {
                attempted++;
                return new Ending.Succeeded(calls.run(job, media, grant.accessToken()), attempted);
            } catch (QuotaDeniedException e) {
                return new Ending.NoBudget(e, attempted - 1); // denied before the call: not an attempt
            } catch (LinkedInJobs.JobStoppedException e) {
                return new Ending.Stopped(e.stop, attempted - 1);
            } catch (RuntimeException e) {
                if (e instanceof LinkedInException refused) {
                    refusals.accept(refused, job.accountId());
                }
                Failure failure = failureOf(e);
                boolean attempt = !duringOutage.test(e) && !(e instanceof LinkedInVersionInactiveException)
                        && !(e instanceof LinkedInJobs.StepFailedException m && !m.attempt);
                if (!attempt) {
                    attempted--;
                }
                if (failure.errorClass() == ErrorClass.AUTH_EXPIRED && !tokenCalled) {
                    tokenCalled = true;
                    try {
                        grant = tokens.refresh(job.accountId(), grant.version());
                    } catch (RuntimeException refreshFailure) {
                        return refreshFailed(refreshFailure, attempted);
                    }
                    continue;
                }
                if (failure.errorClass() == ErrorClass.REAUTH_REQUIRED && !revokeChecked) {
                    revokeChecked = true;
                    try {
                        grant = tokens.confirmRevoked(job.accountId(), grant.version(), failure.message());
                    } catch (ReauthRequiredException dead) {
                        return new Ending.Failed(Failure.of(ErrorClass.REAUTH_REQUIRED, dead.getMessage()), dead,
                                attempted, true);
                    }
                    continue;
                }
                if (attempt && attempted <= inlineRetries.applyAsInt(failure.errorClass(), attemptsBefore)
                        && !Thread.currentThread().isInterrupted()) {
                    LOG.infof("job failed, retrying at once errorClass=%s linkedinRequestId=%s", failure.errorClass(),
                            failure.linkedinRequestId().orElse("-"));
                    continue;
                }
                return new Ending.Failed(failure, e, attempted, attempt);
            }
        }
    }

    /**
     * The run's one token call failed. A dead grant is an attempt's failure (the policy parks the job); any other
     * failure (5xx, 429, timeout, unreadable answer, another pod's lock, the app-credentials pause) is not an
     * attempt: the job never reached LinkedIn's API.
     */
    private static Ending refreshFailed(RuntimeException e, int attempted) {
        if (e instanceof ReauthRequiredException dead) {
            return new Ending.Failed(Failure.of(ErrorClass.REAUTH_REQUIRED, dead.getMessage()), dead, attempted, true);
        }
        return new Ending.Failed(failureOf(e), e, attempted, false);
    }

    /**
     * The job-level failure a LinkedIn or token-refresh exception stands for. Anything else (PostgreSQL, Redis, a
     * bug) is rethrown: the poll loop runs the record again, a bounded number of times unless it is an outage.
     */
    private static Failure failureOf(RuntimeException e) {
        return switch (e) {
            case LinkedInException linkedIn -> ErrorClassifier.toFailure(linkedIn);
            case LinkedInUnreachableException unreachable -> ErrorClassifier.toFailure(unreachable);
            case CircuitBreakerOpenException open -> ErrorClassifier.toFailure(open);
            case LinkedInVersionInactiveException inactive ->
                Failure.of(ErrorClass.VERSION_INACTIVE, inactive.getMessage());
            case LinkedInJobs.DuplicateBlockedException blocked -> blocked.failure();
            case LinkedInJobs.StepFailedException media -> Failure.of(media.errorClass, media.getMessage());
            case AppCredentialsException app -> Failure.of(ErrorClass.APP_CREDENTIALS, app.getMessage());
            // Another pod is refreshing this account: come back when it is done.
            case TokenRefresher.TokenRefreshBusyException busy ->
                Failure.of(ErrorClass.AUTH_EXPIRED, busy.getMessage());
            case OAuthException oauth when oauth.kind() == OAuthException.Kind.REQUEST_REJECTED -> {
                LOG.errorf("LinkedIn rejected Courier's token refresh request as malformed: %s", oauth.getMessage());
                yield Failure.of(ErrorClass.SERVER_ERROR, oauth.getMessage());
            }
            // A 5xx, 429 or unreadable answer from the token endpoint says nothing about the grant (CONTRACT §3).
            case OAuthException oauth -> Failure.of(ErrorClass.SERVER_ERROR, "token endpoint: " + oauth.getMessage());
            default -> throw e;
        };
    }
}
