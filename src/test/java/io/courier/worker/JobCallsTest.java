package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.NullNode;
import io.courier.auth.ReauthRequiredException;
import io.courier.auth.TokenStore.AccessGrant;
import io.courier.job.JobEnvelope;
import io.courier.job.JobType;
import io.courier.linkedin.BearerToken;
import io.courier.linkedin.LinkedInError;
import io.courier.linkedin.LinkedInException;
import io.courier.linkedin.OAuthException;
import io.courier.media.MediaIntake;
import io.courier.retry.ErrorClass;
import io.courier.worker.JobCalls.Ending;
import io.courier.worker.LinkedInJobs.JobResult;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The authorize → budget → call loop alone, with a scripted LinkedIn and token endpoint: how each way of failing
 * ends the run, how many calls it makes, and that every script ends (the loop's budget is fixed).
 */
class JobCallsTest {

    private static final JobEnvelope JOB = new JobEnvelope("job-1", JobType.POST_CREATE, "acct-1",
            Instant.parse("2026-12-01T00:00:00Z"), NullNode.getInstance());
    private static final JobResult DONE = new JobResult(NullNode.getInstance(), Optional.empty(), false);

    /** LinkedIn's answers, one per call; a call beyond the script fails the test. */
    private final Deque<Supplier<JobResult>> answers = new ArrayDeque<>();
    private static final BearerToken OLD = new BearerToken("old");
    private static final BearerToken FRESH = new BearerToken("fresh");
    private static final BearerToken RENEWED = new BearerToken("renewed");
    private final List<BearerToken> tokensUsed = new ArrayList<>();
    private final List<String> tokenCalls = new ArrayList<>();
    private Supplier<AccessGrant> refreshAnswer = () -> grant(FRESH, 2);
    private Supplier<AccessGrant> revokeCheckAnswer = () -> grant(RENEWED, 3);
    private boolean dueForRefresh;
    private boolean outage;

    private final JobCalls calls = new JobCalls(new JobCalls.Tokens() {
        public boolean dueForRefresh(AccessGrant grant) {
            return dueForRefresh;
        }

        public AccessGrant refresh(String accountId, long seenVersion) {
            tokenCalls.add("refresh v" + seenVersion);
            return refreshAnswer.get();
        }

        public AccessGrant confirmRevoked(String accountId, long seenVersion, String linkedinMessage) {
            tokenCalls.add("confirm v" + seenVersion);
            return revokeCheckAnswer.get();
        }
    }, (job, media, token) -> {
        tokensUsed.add(token);
        assertThat(answers).as("a call beyond the script").isNotEmpty();
        return answers.poll().get();
    }, (refused, account) -> {}, e -> outage, (errorClass, before) -> before == 0
            && (errorClass == ErrorClass.SERVER_ERROR || errorClass == ErrorClass.NETWORK) ? 1 : 0);

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private static AccessGrant grant(BearerToken token, long version) {
        return new AccessGrant(token, Instant.parse("2027-01-01T00:00:00Z"), true, version);
    }

    private static Supplier<JobResult> fails(int status, Integer serviceErrorCode) {
        LinkedInError error = new LinkedInError(status, serviceErrorCode == null
                ? OptionalInt.empty()
                : OptionalInt.of(serviceErrorCode), Optional.empty(), "status " + status, List.of(), Optional.empty(),
                Optional.empty());
        return () -> {
            throw new LinkedInException("/rest/posts", error);
        };
    }

    private void script(List<Supplier<JobResult>> script) {
        answers.addAll(script);
    }

    @Test
    void aSuccessIsOneCall() {
        script(List.of(() -> DONE));
        assertThat(calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0)).isEqualTo(new Ending.Succeeded(DONE, 1));
    }

    @Test
    void anExpiredTokenIsRefreshedOnceAndTheCallMadeAgainWithTheNewOne() {
        script(List.of(fails(401, null), () -> DONE));
        assertThat(calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0)).isEqualTo(new Ending.Succeeded(DONE, 2));
        assertThat(tokensUsed).containsExactly(OLD, FRESH);
        assertThat(tokenCalls).containsExactly("refresh v1");
    }

    @Test
    void aSecondExpiryInTheSameRunEndsItWithoutAnotherRefresh() {
        script(List.of(fails(401, null), fails(401, null)));
        Ending.Failed failed = (Ending.Failed) calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0);
        assertThat(failed.failure().errorClass()).isEqualTo(ErrorClass.AUTH_EXPIRED);
        assertThat(failed.calls()).isEqualTo(2);
        assertThat(failed.attempt()).isTrue();
        assertThat(tokenCalls).containsExactly("refresh v1");
    }

    @Test
    void aTokenDueForRefreshIsRefreshedBeforeTheFirstCall() {
        dueForRefresh = true;
        script(List.of(() -> DONE));
        assertThat(calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0)).isEqualTo(new Ending.Succeeded(DONE, 1));
        assertThat(tokensUsed).containsExactly(FRESH);
    }

    @Test
    void aFailingTokenEndpointEndsTheRunAtOnceAsNoAttempt() {
        dueForRefresh = true;
        refreshAnswer = () -> {
            throw new OAuthException(OAuthException.Kind.TRANSIENT, 503, Optional.empty(), "down");
        };
        Ending.Failed failed = (Ending.Failed) calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0);
        assertThat(failed.failure().errorClass()).isEqualTo(ErrorClass.SERVER_ERROR);
        assertThat(failed.attempt()).isFalse();
        assertThat(failed.calls()).isZero();
        assertThat(tokensUsed).isEmpty();
    }

    @Test
    void aRevocationIsCheckedOnceAgainstTheStoredTokenWhichAnotherPodMayHaveRenewed() {
        script(List.of(fails(401, 65601), () -> DONE));
        assertThat(calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0)).isEqualTo(new Ending.Succeeded(DONE, 2));
        assertThat(tokensUsed).containsExactly(OLD, RENEWED);
        assertThat(tokenCalls).containsExactly("confirm v1");
    }

    @Test
    void aConfirmedRevocationIsAnAttemptTheAccountFails() {
        revokeCheckAnswer = () -> {
            throw new ReauthRequiredException("acct-1", "revoked");
        };
        script(List.of(fails(401, 65601)));
        Ending.Failed failed = (Ending.Failed) calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0);
        assertThat(failed.failure().errorClass()).isEqualTo(ErrorClass.REAUTH_REQUIRED);
        assertThat(failed.calls()).isEqualTo(1);
        assertThat(failed.attempt()).isTrue();
    }

    @Test
    void aServerErrorGetsItsInlineRetryOnTheFirstRunOnly() {
        script(List.of(fails(503, null), fails(503, null)));
        Ending.Failed first = (Ending.Failed) calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0);
        assertThat(first.calls()).isEqualTo(2);
        script(List.of(fails(503, null)));
        Ending.Failed later = (Ending.Failed) calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 3);
        assertThat(later.calls()).as("a delayed retry makes one call").isEqualTo(1);
    }

    @Test
    void aCancelledJobMakesNoInlineRetry() {
        script(List.of(fails(503, null)));
        Thread.currentThread().interrupt();
        Ending.Failed failed = (Ending.Failed) calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0);
        assertThat(failed.calls()).isEqualTo(1);
    }

    @Test
    void aFailureDuringAnOutageIsNoAttemptAndNotRetriedInline() {
        outage = true;
        script(List.of(fails(503, null)));
        Ending.Failed failed = (Ending.Failed) calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0);
        assertThat(failed.attempt()).isFalse();
        assertThat(failed.calls()).isZero();
    }

    @Test
    void aDuplicateThatCouldNotBeConfirmedIsAnAttemptThatFailedAsDuplicateBlocked() {
        LinkedInError gone = new LinkedInError(404, OptionalInt.empty(), Optional.of("RESOURCE_NOT_FOUND"),
                "No virtual resource found", List.of(), Optional.of("req-404"), Optional.empty());
        script(List.of(() -> {
            throw new LinkedInJobs.DuplicateBlockedException("a deleted post",
                    new LinkedInException("posts.get", gone));
        }));
        Ending.Failed failed = (Ending.Failed) calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0);
        assertThat(failed.attempt()).isTrue();
        assertThat(failed.failure().errorClass()).isEqualTo(ErrorClass.DUPLICATE_BLOCKED);
        assertThat(failed.failure().message()).isEqualTo("a deleted post");
        assertThat(failed.failure().httpStatus()).hasValue(404);
        assertThat(failed.failure().linkedinRequestId()).contains("req-404");
    }

    @Test
    void anUnclassifiedExceptionGoesUpToThePollLoop() {
        script(List.of(() -> {
            throw new IllegalStateException("PostgreSQL went away");
        }));
        assertThatThrownBy(() -> calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everyScriptEndsWithinTheLoopsFixedBudget() {
        // Expired, then revoked (renewed), then a server error: one refresh, one re-check, and no inline retry left
        // (inline retries count the run's calls, so a run makes at most 1 + refresh + re-check + inline calls).
        script(List.of(fails(401, null), fails(401, 65601), fails(503, null), () -> DONE));
        Ending.Failed failed = (Ending.Failed) calls.run(JOB, MediaIntake.Fetched.NONE, grant(OLD, 1), 0);
        assertThat(failed.failure().errorClass()).isEqualTo(ErrorClass.SERVER_ERROR);
        assertThat(failed.calls()).isEqualTo(3);
        assertThat(answers).hasSize(1);
        assertThat(tokenCalls).containsExactly("refresh v1", "confirm v2");
    }
}
