package io.courier.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.auth.AppCredentialsException;
import io.courier.auth.ReauthRequiredException;
import io.courier.auth.TokenRefresher;
import io.courier.auth.TokenStore.AccessGrant;
import io.courier.job.JobEnvelope;
import io.courier.job.JobRef;
import io.courier.job.JobValidator;
import io.courier.job.OutcomeStore;
import io.courier.job.ResultEvent;
import io.courier.job.Validation;
import io.courier.linkedin.Breakers;
import io.courier.linkedin.ErrorClassifier;
import io.courier.linkedin.LinkedInException;
import io.courier.linkedin.LinkedInUnreachableException;
import io.courier.linkedin.OAuthException;
import io.courier.platform.Outbox;
import io.courier.quota.QuotaConfig;
import io.courier.quota.QuotaDeniedException;
import io.courier.quota.QuotaGate;
import io.courier.retry.DeadLetterWriter;
import io.courier.retry.Decision;
import io.courier.retry.ErrorClass;
import io.courier.retry.Failure;
import io.courier.retry.RetryPolicy;
import io.courier.retry.RetryRouter;
import io.courier.retry.RetryState;
import io.courier.worker.JobMetrics.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * Takes one record from validation to its outcome: a result event, a retry-tier record, or a dead letter plus a
 * DEAD_LETTERED result, all put in the caller's {@link Outbox} (a success is first recorded in the outcome
 * table). The caller publishes them atomically with the record's offset. Infrastructure failures throw.
 */
@ApplicationScoped
class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    private static final String INVALID_TYPE_TAG = "invalid";

    private final JobValidator validator;
    private final OutcomeStore outcomes;
    private final JobPreflight preflight;
    private final TokenRefresher refresher;
    private final QuotaGate quota;
    private final QuotaConfig quotaConfig;
    private final ParkedJobs parked;
    private final LinkedInJobs jobs;
    private final ResultPublisher results;
    private final DeadLetterWriter deadLetters;
    private final RetryPolicy policy;
    private final RetryRouter router;
    private final JobMetrics metrics;
    private final Breakers breakers;
    private final Clock clock;

    JobRunner(ObjectMapper json, WorkerConfig config, OutcomeStore outcomes, JobPreflight preflight,
              TokenRefresher refresher, ParkedJobs parked, QuotaGate quota, QuotaConfig quotaConfig, LinkedInJobs jobs,
              ResultPublisher results, DeadLetterWriter deadLetters, RetryPolicy policy, RetryRouter router,
              JobMetrics metrics, Breakers breakers, Clock clock) {
        this.validator = new JobValidator(json, config.maxRecordBytes());
        this.outcomes = outcomes;
        this.preflight = preflight;
        this.refresher = refresher;
        this.quota = quota;
        this.quotaConfig = quotaConfig;
        this.parked = parked;
        this.jobs = jobs;
        this.results = results;
        this.deadLetters = deadLetters;
        this.policy = policy;
        this.router = router;
        this.metrics = metrics;
        this.breakers = breakers;
        this.clock = clock;
    }

    /** A job of one account: idempotency is per account (CONTRACT §3). */
    private record JobKey(String accountId, String jobId) {}

    /** A success LinkedIn confirmed, with its result event, until PostgreSQL has recorded it. */
    private record Unrecorded(ResultEvent event, String json, boolean duplicate, Instant started) {}

    /**
     * Successes whose recording failed (PostgreSQL down after LinkedIn's 201), so a re-run records instead of posting
     * again. An entry lives from the call's success until its recording: at most one per job in progress. A pod that
     * dies with entries loses them; the redelivered job then relies on LinkedIn's duplicate-post answer.
     */
    private final Map<JobKey, Unrecorded> unrecorded = new ConcurrentHashMap<>();
    private static final Duration UNRECORDED_KEPT = Duration.ofDays(1);

    /** One run of one record: what every step of it needs. */
    private record Run(ConsumerRecord<String, byte[]> record, Outbox outbox, JobEnvelope job, RetryState state,
                       Instant started) {
        String typeTag() {
            return job.type().wireName();
        }
    }

    void run(ConsumerRecord<String, byte[]> record, Outbox outbox) {
        Instant started = clock.instant();
        RetryState state = RetryState.of(record);
        switch (validator.validate(record.value())) {
            case Validation.Invalid invalid -> {
                try (var ignored = JobLogContext.open(JobRef.of(invalid))) {
                    deadLetter(outbox, record, JobRef.of(invalid), Failure.of(ErrorClass.INVALID_JOB, invalid.message()), state,
                            INVALID_TYPE_TAG, started);
                }
            }
            case Validation.Valid valid -> {
                try (var ignored = JobLogContext.open(JobRef.of(valid.job()))) {
                    runValid(new Run(record, outbox, valid.job(), state, started));
                }
            }
        }
    }

    /**
     * The record could not be run: an exception nobody classified came back courier.worker.max-infrastructure-attempts
     * times. It is dead-lettered as INTERNAL with the exception's class and message, so the partition moves on.
     */
    void giveUp(ConsumerRecord<String, byte[]> record, Outbox outbox, RuntimeException cause, int tries) {
        Instant now = clock.instant();
        JobRef ref = switch (validator.validate(record.value())) { // never throws
            case Validation.Valid valid -> JobRef.of(valid.job());
            case Validation.Invalid invalid -> JobRef.of(invalid);
        };
        Unrecorded success = ref.accountId().isPresent() && ref.jobId().isPresent()
                ? unrecorded.remove(new JobKey(ref.accountId().get(), ref.jobId().get())) : null;
        if (success != null) {
            // LinkedIn has the post; only its recording keeps failing. Report the success: a redelivered copy (there is
            // no outcome row to stop it) relies on LinkedIn's duplicate-post answer, which beats calling it a failure.
            LOG.errorf(cause, "job succeeded but its outcome could not be recorded jobId=%s", ref.jobId().get());
            results.publish(outbox, ref.accountId().get(), success.json());
            return;
        }
        String message = tries + " tries: " + cause.getClass().getName() + ": " + cause.getMessage();
        LOG.errorf(cause, "job could not be run, dead-lettered as INTERNAL jobId=%s", ref.jobId().orElse("-"));
        deadLetter(outbox, record, ref, Failure.of(ErrorClass.INTERNAL, message), RetryState.of(record),
                ref.type().orElse(INVALID_TYPE_TAG), now);
    }

    private void runValid(Run run) {
        JobEnvelope job = run.job();
        Unrecorded success = unrecorded.get(new JobKey(job.accountId(), job.jobId()));
        if (success != null) {
            record(run.outbox(), job, success);
            return;
        }
        JobPreflight.Preflight known = preflight.read(job.jobId(), job.accountId());
        Optional<String> earlier = known.earlierResult();
        if (earlier.isPresent()) {
            results.publish(run.outbox(), job.accountId(), earlier.get());
            LOG.infof("job already succeeded, result re-emitted jobId=%s", job.jobId());
            metrics.record(run.typeTag(), Outcome.REEMITTED, Duration.between(run.started(), clock.instant()));
            return;
        }
        if (known.reauthRequired()) {
            decide(run, Failure.of(ErrorClass.REAUTH_REQUIRED, "the account waits for re-authorization"), run.state());
            return;
        }
        if (known.grant().isEmpty()) {
            deadLetter(run.outbox(), run.record(), JobRef.of(job), Failure.of(ErrorClass.INVALID_JOB,
                    "accountId: no connected account '" + job.accountId()
                            + "' (import its tokens with PUT /admin/accounts/{accountId}/tokens)"),
                    run.state(), run.typeTag(), run.started());
            return;
        }
        callLinkedIn(run, known.grant().get());
    }

    /**
     * Calls LinkedIn with the account's token, refreshing it first when it is about to end, or once when LinkedIn
     * says it expired. A revoked token is re-checked against the stored one once (another pod may have stored a new
     * one) before the account is declared dead. What ends the loop: every pass makes one call and then returns or
     * uses up one of a fixed budget (the run's one token call, its one revocation re-check, the class's inline
     * retries); a failure of the token endpoint is routed to the tiers at once, never retried here.
     */
    private void callLinkedIn(Run run, AccessGrant grant) {
        boolean tokenCalled = false;
        boolean revokeChecked = false;
        int calls = 0;
        if (refresher.dueForRefresh(grant)) {
            tokenCalled = true;
            Optional<AccessGrant> fresh = refreshed(run, grant, 0);
            if (fresh.isEmpty()) {
                return;
            }
            grant = fresh.get();
        }
        while (true) {
            try {
                calls++;
                succeed(run.outbox(), run.job(), jobs.run(run.job(), grant.accessToken()), run.state().attempts() + calls,
                        run.started());
                return;
            } catch (QuotaDeniedException e) {
                waitForBudget(run, e, calls - 1); // denied before the call: not an attempt
                return;
            } catch (RuntimeException e) {
                if (e instanceof LinkedInException refused) {
                    quota.linkedInRefused(refused, run.job().accountId());
                }
                Failure failure = failureOf(e);
                boolean attempt = !breakers.duringOutage(e);
                if (!attempt) {
                    calls--;
                }
                if (failure.errorClass() == ErrorClass.AUTH_EXPIRED && !tokenCalled) {
                    tokenCalled = true;
                    Optional<AccessGrant> fresh = refreshed(run, grant, calls);
                    if (fresh.isEmpty()) {
                        return;
                    }
                    grant = fresh.get();
                    continue;
                }
                if (failure.errorClass() == ErrorClass.REAUTH_REQUIRED && !revokeChecked) {
                    revokeChecked = true;
                    try {
                        grant = refresher.confirmRevoked(run.job().accountId(), grant.version(), failure.message());
                    } catch (ReauthRequiredException dead) {
                        decide(run, Failure.of(ErrorClass.REAUTH_REQUIRED, dead.getMessage()), run.state().after(calls,
                                clock.instant()));
                        return;
                    }
                    continue;
                }
                // A cancelled job (its partition handed over) never calls again: the next owner runs it.
                if (attempt && calls <= policy.inlineRetries(failure.errorClass(), run.state().attempts())
                        && !Thread.currentThread().isInterrupted()) {
                    LOG.infof("job failed, retrying at once errorClass=%s linkedinRequestId=%s", failure.errorClass(),
                            failure.linkedinRequestId().orElse("-"));
                    continue;
                }
                RetryState after = run.state().after(counted(failure, calls), clock.instant());
                if (attempt) {
                    decide(run, failure, after);
                } else {
                    defer(run, failure, after);
                }
                return;
            }
        }
    }

    /**
     * The run's one token call. Any failure of it (5xx, 429, timeout, unreadable answer, another pod's lock, the
     * app-credentials pause) is routed through the policy as a delay that is not an attempt: the job never
     * reached LinkedIn's API. A dead grant parks the job. Empty when the run ended here.
     */
    private Optional<AccessGrant> refreshed(Run run, AccessGrant grant, int callsSoFar) {
        try {
            return Optional.of(refresher.refresh(run.job().accountId(), grant.version()));
        } catch (ReauthRequiredException dead) {
            decide(run, Failure.of(ErrorClass.REAUTH_REQUIRED, dead.getMessage()),
                    run.state().after(callsSoFar, clock.instant()));
        } catch (RuntimeException e) {
            defer(run, failureOf(e), run.state().after(callsSoFar, clock.instant()));
        }
        return Optional.empty();
    }

    /**
     * No budget for the call now: the job waits in the retry tiers until it can go (a daily budget: the next window,
     * spread over courier.quota.next-window-spread so 00:00 UTC is not a thundering herd). Not an attempt, never a
     * dead letter, and no partition waits for it.
     */
    private void waitForBudget(Run run, QuotaDeniedException denied, int callsBefore) {
        Instant now = clock.instant();
        long spreadMs = denied.untilNextWindow() ? quotaConfig.nextWindowSpread().toMillis()
                : Math.min(1000, denied.waitFor().toMillis());
        Instant due = now.plus(denied.waitFor()).plusMillis(ThreadLocalRandom.current().nextLong(spreadMs + 1));
        Failure failure = Failure.of(denied.untilNextWindow() ? ErrorClass.QUOTA_EXHAUSTED : ErrorClass.RATE_LIMITED,
                denied.getMessage());
        RetryState state = callsBefore > 0 ? run.state().after(callsBefore, now) : run.state();
        router.retryLater(run.outbox(), run.record(), JobRef.of(run.job()), failure, state, now, due);
        metrics.record(run.typeTag(), Outcome.DELAYED, Duration.between(run.started(), now));
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
            case AppCredentialsException app -> Failure.of(ErrorClass.APP_CREDENTIALS, app.getMessage());
            // Another pod is refreshing this account: come back when it is done.
            case TokenRefresher.TokenRefreshBusyException busy -> Failure.of(ErrorClass.AUTH_EXPIRED, busy.getMessage());
            case OAuthException oauth when oauth.kind() == OAuthException.Kind.REQUEST_REJECTED -> {
                LOG.errorf("LinkedIn rejected Courier's token refresh request as malformed: %s", oauth.getMessage());
                yield Failure.of(ErrorClass.SERVER_ERROR, oauth.getMessage());
            }
            // A 5xx, 429 or unreadable answer from the token endpoint says nothing about the grant (CONTRACT §3).
            case OAuthException oauth -> Failure.of(ErrorClass.SERVER_ERROR, "token endpoint: " + oauth.getMessage());
            default -> throw e;
        };
    }

    /** Calls that count as attempts: waiting out a daily quota is not the job's fault (CONTRACT §4). */
    private int counted(Failure failure, int calls) {
        return failure.errorClass() == ErrorClass.QUOTA_EXHAUSTED ? 0 : calls;
    }

    /** A failed attempt: the policy decides from the attempts so far (`state` counted this run's calls). */
    private void decide(Run run, Failure failure, RetryState state) {
        Instant now = clock.instant();
        carryOut(run, failure, state, now, policy.decide(failure, state.attempts(), now,
                ThreadLocalRandom.current().nextDouble()));
    }

    /** A failed run that was not an attempt: a delay growing with how long the job has been failing. */
    private void defer(Run run, Failure failure, RetryState state) {
        Instant now = clock.instant();
        carryOut(run, failure, state, now, policy.defer(failure, state.firstFailureAt(), now,
                ThreadLocalRandom.current().nextDouble()));
    }

    /** Carries out a decision made at {@code now}: the failure time in the headers is the one the delay counts from. */
    private void carryOut(Run run, Failure failure, RetryState state, Instant now, Decision decision) {
        switch (decision) {
            case Decision.RetryLater later -> {
                router.retryLater(run.outbox(), run.record(), JobRef.of(run.job()), failure, state, now, later.dueAt());
                metrics.record(run.typeTag(), Outcome.DELAYED, Duration.between(run.started(), now));
            }
            case Decision.DeadLetter dead -> deadLetter(run.outbox(), run.record(), JobRef.of(run.job()),
                    new Failure(dead.errorClass(), dead.reason(), failure.httpStatus(), failure.linkedInCode(),
                            failure.serviceErrorCode(), failure.linkedinRequestId(), failure.retryAfter()),
                    state, run.typeTag(), run.started());
            case Decision.Park park -> {
                parked.park(run.record(), run.job(), state);
                LOG.infof("job parked until the account is re-authorized jobId=%s accountId=%s", run.job().jobId(),
                        run.job().accountId());
                metrics.record(run.typeTag(), Outcome.PARKED, Duration.between(run.started(), now));
            }
            case Decision.TreatAsSuccess success -> succeed(run.outbox(), run.job(), new LinkedInJobs.JobResult(
                    com.fasterxml.jackson.databind.node.NullNode.getInstance(), failure.linkedinRequestId(), false),
                    state.attempts(), run.started());
        }
    }

    private void succeed(Outbox outbox, JobEnvelope job, LinkedInJobs.JobResult result, int attempts, Instant started) {
        Instant finished = clock.instant();
        ResultEvent event = ResultEvent.succeeded(job, attempts, finished, result.linkedinRequestId().orElse(null),
                result.data(), result.duplicate());
        Unrecorded success = new Unrecorded(event, results.toJson(event), result.duplicate(), started);
        // An entry whose record went to another pod before it was recorded is never taken here again; a day later
        // that record ended elsewhere long ago, so drop it (the map holds only jobs in progress, so this is cheap).
        unrecorded.values().removeIf(u -> u.started().isBefore(finished.minus(UNRECORDED_KEPT)));
        unrecorded.put(new JobKey(job.accountId(), job.jobId()), success);
        record(outbox, job, success);
    }

    /**
     * Records a success LinkedIn confirmed, then publishes it. If PostgreSQL fails here the exception goes up and the
     * poll loop runs the record again, but that run only records (runValid finds the success in `unrecorded`): the
     * post is never repeated by Courier's own failure.
     */
    private void record(Outbox outbox, JobEnvelope job, Unrecorded success) {
        String stored = outcomes.recordSuccess(success.event(), success.json());
        unrecorded.remove(new JobKey(job.accountId(), job.jobId()));
        results.publish(outbox, job.accountId(), stored);
        LOG.infof("job succeeded jobId=%s duplicate=%s linkedinRequestId=%s", job.jobId(), success.duplicate(),
                Optional.ofNullable(success.event().linkedinRequestId()).orElse("-"));
        metrics.record(job.type().wireName(), success.duplicate() ? Outcome.DUPLICATE : Outcome.SUCCEEDED,
                Duration.between(success.started(), clock.instant()));
    }

    private void deadLetter(Outbox outbox, ConsumerRecord<String, byte[]> record, JobRef job, Failure failure,
                            RetryState state, String typeTag, Instant started) {
        deadLetter(outbox, DeadLetterWriter.Original.of(record), job, failure, state, typeTag, started);
    }

    /** Writes a dead letter and, when the job can be named, its DEAD_LETTERED result (also for parked jobs). */
    void deadLetter(Outbox outbox, DeadLetterWriter.Original record, JobRef job, Failure failure, RetryState state,
                    String typeTag, Instant started) {
        Instant now = clock.instant();
        deadLetters.write(outbox, record, job, failure, state, now);
        if (job.canReportResult()) {
            ResultEvent event = ResultEvent.deadLettered(job.jobId().get(), job.type().orElse(null),
                    job.accountId().get(), state.attempts(), now, failure.linkedinRequestId().orElse(null),
                    failure.errorClass().name(), failure.message());
            results.publish(outbox, job.accountId().get(), results.toJson(event));
        }
        metrics.record(typeTag, Outcome.DEAD_LETTERED, Duration.between(started, now));
    }
}
