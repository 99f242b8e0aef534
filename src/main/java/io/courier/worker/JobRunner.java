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
import java.util.Optional;
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
    private final Clock clock;

    JobRunner(ObjectMapper json, WorkerConfig config, OutcomeStore outcomes, JobPreflight preflight,
              TokenRefresher refresher, ParkedJobs parked, QuotaGate quota, QuotaConfig quotaConfig, LinkedInJobs jobs,
              ResultPublisher results, DeadLetterWriter deadLetters, RetryPolicy policy, RetryRouter router,
              JobMetrics metrics, Clock clock) {
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
        this.clock = clock;
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
                    runValid(outbox, record, valid.job(), state, started);
                }
            }
        }
    }

    private void runValid(Outbox outbox, ConsumerRecord<String, byte[]> record, JobEnvelope job, RetryState state,
                          Instant started) {
        String typeTag = job.type().wireName();
        JobPreflight.Preflight known = preflight.read(job.jobId(), job.accountId());
        Optional<String> earlier = known.earlierResult();
        if (earlier.isPresent()) {
            results.publish(outbox, job.accountId(), earlier.get());
            LOG.infof("job already succeeded, result re-emitted jobId=%s", job.jobId());
            metrics.record(typeTag, Outcome.REEMITTED, Duration.between(started, clock.instant()));
            return;
        }
        if (known.reauthRequired()) {
            fail(outbox, record, job, Failure.of(ErrorClass.REAUTH_REQUIRED, "the account waits for re-authorization"),
                    state, typeTag, started);
            return;
        }
        if (known.grant().isEmpty()) {
            deadLetter(outbox, record, JobRef.of(job), Failure.of(ErrorClass.INVALID_JOB, "accountId: no connected account '"
                    + job.accountId() + "' (import its tokens with PUT /admin/accounts/{accountId}/tokens)"), state,
                    typeTag, started);
            return;
        }
        callLinkedIn(outbox, record, job, state, known.grant().get(), typeTag, started);
    }

    /**
     * Calls LinkedIn with the account's token, refreshing it first when it is about to end, and at once when
     * LinkedIn says it expired (once per run). A revoked token is re-checked against the stored one once (another
     * pod may have stored a new one) before the account is declared dead.
     */
    private void callLinkedIn(Outbox outbox, ConsumerRecord<String, byte[]> record, JobEnvelope job, RetryState state,
                              AccessGrant grant, String typeTag, Instant started) {
        boolean refreshNow = refresher.dueForRefresh(grant);
        boolean refreshed = false;
        boolean recheckRevoked = false;
        String revokedMessage = "";
        int calls = 0;
        while (true) {
            try {
                if (refreshNow && !refreshed) {
                    grant = refresher.refresh(job.accountId(), grant.version());
                    refreshed = true;
                } else if (recheckRevoked) {
                    grant = refresher.confirmRevoked(job.accountId(), grant.version(), revokedMessage);
                }
                calls++;
                succeed(outbox, job, jobs.run(job, grant.accessToken()), state.attempts() + calls, started);
                return;
            } catch (ReauthRequiredException e) {
                fail(outbox, record, job, Failure.of(ErrorClass.REAUTH_REQUIRED, e.getMessage()), state, typeTag, started);
                return;
            } catch (QuotaDeniedException e) {
                waitForBudget(outbox, record, job, e, state, typeTag, started);
                return;
            } catch (RuntimeException e) {
                if (e instanceof LinkedInException refused) {
                    quota.linkedInRefused(refused, job.accountId());
                }
                Failure failure = failureOf(e);
                if (failure.errorClass() == ErrorClass.AUTH_EXPIRED && !refreshed) {
                    refreshNow = true;
                    continue;
                }
                if (failure.errorClass() == ErrorClass.REAUTH_REQUIRED && !recheckRevoked) {
                    recheckRevoked = true;
                    revokedMessage = failure.message();
                    continue;
                }
                recheckRevoked = false;
                if (calls > policy.inlineRetries(failure.errorClass(), state.attempts())) {
                    fail(outbox, record, job, failure, state.after(counted(failure, calls), clock.instant()), typeTag, started);
                    return;
                }
                LOG.infof("job failed, retrying at once errorClass=%s liRequestId=%s", failure.errorClass(),
                        failure.linkedInRequestId().orElse("-"));
            }
        }
    }

    /**
     * No budget for the call now: the job waits in the retry tiers until it can go (a daily budget: the next window,
     * spread over courier.quota.next-window-spread so 00:00 UTC is not a thundering herd). Not an attempt, never a
     * dead letter, and no partition waits for it.
     */
    private void waitForBudget(Outbox outbox, ConsumerRecord<String, byte[]> record, JobEnvelope job,
                               QuotaDeniedException denied, RetryState state, String typeTag, Instant started) {
        Instant now = clock.instant();
        long spreadMs = denied.untilNextWindow() ? quotaConfig.nextWindowSpread().toMillis()
                : Math.min(1000, denied.waitFor().toMillis());
        Instant due = now.plus(denied.waitFor()).plusMillis(ThreadLocalRandom.current().nextLong(spreadMs + 1));
        Failure failure = Failure.of(denied.untilNextWindow() ? ErrorClass.QUOTA_EXHAUSTED : ErrorClass.RATE_LIMITED,
                denied.getMessage());
        router.retryLater(outbox, record, JobRef.of(job), failure, state, now, due);
        metrics.record(typeTag, Outcome.DELAYED, Duration.between(started, now));
    }

    /**
     * The job-level failure a LinkedIn or token-refresh exception stands for. Anything else (PostgreSQL, Kafka) is
     * an infrastructure failure and is rethrown: the record is run again later, not routed.
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
            case OAuthException oauth -> Failure.of(ErrorClass.SERVER_ERROR, oauth.getMessage());
            default -> throw e;
        };
    }

    /** Calls that count as attempts: waiting out a daily quota is not the job's fault (CONTRACT §4). */
    private int counted(Failure failure, int calls) {
        return failure.errorClass() == ErrorClass.QUOTA_EXHAUSTED ? 0 : calls;
    }

    /** Carries out the policy's decision for a failure (after `state` counted this run's calls). */
    private void fail(Outbox outbox, ConsumerRecord<String, byte[]> record, JobEnvelope job, Failure failure,
                      RetryState state, String typeTag, Instant started) {
        Instant now = clock.instant();
        Decision decision = policy.decide(failure, state.attempts(), now, ThreadLocalRandom.current().nextDouble());
        switch (decision) {
            case Decision.RetryLater later -> {
                router.retryLater(outbox, record, JobRef.of(job), failure, state, now, later.dueAt());
                metrics.record(typeTag, Outcome.DELAYED, Duration.between(started, now));
            }
            case Decision.DeadLetter dead -> deadLetter(outbox, record, JobRef.of(job),
                    new Failure(dead.errorClass(), dead.reason(), failure.httpStatus(), failure.linkedInCode(),
                            failure.serviceErrorCode(), failure.linkedInRequestId(), failure.retryAfter()),
                    state, typeTag, started);
            case Decision.Park park -> {
                parked.park(record, job, state);
                LOG.infof("job parked until the account is re-authorized jobId=%s accountId=%s", job.jobId(), job.accountId());
                metrics.record(typeTag, Outcome.PARKED, Duration.between(started, now));
            }
            case Decision.TreatAsSuccess success -> succeed(outbox, job, new LinkedInJobs.JobResult(
                    com.fasterxml.jackson.databind.node.NullNode.getInstance(), failure.linkedInRequestId(), false),
                    state.attempts(), started);
        }
    }

    private void succeed(Outbox outbox, JobEnvelope job, LinkedInJobs.JobResult result, int attempts, Instant started) {
        Instant finished = clock.instant();
        ResultEvent event = ResultEvent.succeeded(job, attempts, finished, result.linkedinRequestId().orElse(null),
                result.data(), result.duplicate());
        String stored = outcomes.recordSuccess(event, results.toJson(event));
        results.publish(outbox, job.accountId(), stored);
        LOG.infof("job succeeded jobId=%s duplicate=%s liRequestId=%s", job.jobId(), result.duplicate(),
                result.linkedinRequestId().orElse("-"));
        metrics.record(job.type().wireName(), result.duplicate() ? Outcome.DUPLICATE : Outcome.SUCCEEDED,
                Duration.between(started, finished));
    }

    /** Writes a dead letter and, when the job can be named, its DEAD_LETTERED result (also for expired parked jobs). */
    void deadLetter(Outbox outbox, ConsumerRecord<String, byte[]> record, JobRef job, Failure failure,
                    RetryState state, String typeTag, Instant started) {
        Instant now = clock.instant();
        deadLetters.write(outbox, record, job, failure, state, now);
        if (job.canReportResult()) {
            ResultEvent event = ResultEvent.deadLettered(job.jobId().get(), job.type().orElse(null),
                    job.accountId().get(), state.attempts(), now, failure.linkedInRequestId().orElse(null),
                    failure.errorClass().name(), failure.message());
            results.publish(outbox, job.accountId().get(), results.toJson(event));
        }
        metrics.record(typeTag, Outcome.DEAD_LETTERED, Duration.between(started, now));
    }
}
