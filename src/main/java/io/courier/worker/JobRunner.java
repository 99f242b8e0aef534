package io.courier.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.auth.TokenStore;
import io.courier.job.JobEnvelope;
import io.courier.job.JobRef;
import io.courier.job.JobValidator;
import io.courier.job.OutcomeStore;
import io.courier.job.ResultEvent;
import io.courier.job.Validation;
import io.courier.linkedin.ErrorClassifier;
import io.courier.linkedin.LinkedInException;
import io.courier.linkedin.LinkedInUnreachableException;
import io.courier.platform.Outbox;
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
    private final TokenStore tokens;
    private final LinkedInJobs jobs;
    private final ResultPublisher results;
    private final DeadLetterWriter deadLetters;
    private final RetryPolicy policy;
    private final RetryRouter router;
    private final JobMetrics metrics;
    private final Clock clock;

    JobRunner(ObjectMapper json, WorkerConfig config, OutcomeStore outcomes, TokenStore tokens, LinkedInJobs jobs,
              ResultPublisher results, DeadLetterWriter deadLetters, RetryPolicy policy, RetryRouter router,
              JobMetrics metrics, Clock clock) {
        this.validator = new JobValidator(json, config.maxRecordBytes());
        this.outcomes = outcomes;
        this.tokens = tokens;
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
        Optional<String> earlier = outcomes.succeededResult(job.jobId());
        if (earlier.isPresent()) {
            results.publish(outbox, job.accountId(), earlier.get());
            LOG.infof("job already succeeded, result re-emitted jobId=%s", job.jobId());
            metrics.record(typeTag, Outcome.REEMITTED, Duration.between(started, clock.instant()));
            return;
        }
        Optional<TokenStore.AccessGrant> grant = tokens.accessGrant(job.accountId());
        if (grant.isEmpty()) {
            deadLetter(outbox, record, JobRef.of(job), Failure.of(ErrorClass.INVALID_JOB, "accountId: no connected account '"
                    + job.accountId() + "' (import its tokens with PUT /admin/accounts/{accountId}/tokens)"), state,
                    typeTag, started);
            return;
        }
        if (!grant.get().expiresAt().isAfter(clock.instant())) {
            fail(outbox, record, job, Failure.of(ErrorClass.AUTH_EXPIRED, "the account's access token expired at "
                    + grant.get().expiresAt()), state, typeTag, started);
            return;
        }
        int calls = 0;
        while (true) {
            calls++;
            try {
                succeed(outbox, job, jobs.run(job, grant.get().accessToken()), state.attempts() + calls, started);
                return;
            } catch (LinkedInException | LinkedInUnreachableException | CircuitBreakerOpenException e) {
                Failure failure = ErrorClassifier.toFailure(e);
                if (calls > policy.inlineRetries(failure.errorClass(), state.attempts())) {
                    fail(outbox, record, job, failure, state.after(counted(failure, calls), clock.instant()), typeTag, started);
                    return;
                }
                LOG.infof("job failed, retrying at once errorClass=%s liRequestId=%s", failure.errorClass(),
                        failure.linkedInRequestId().orElse("-"));
            }
        }
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
            // TODO(#5): park until re-authorized, and refresh the token once; until then both dead-letter.
            case Decision.Park park -> deadLetter(outbox, record, JobRef.of(job), failure, state, typeTag, started);
            case Decision.RefreshAndRetry refresh -> deadLetter(outbox, record, JobRef.of(job), failure, state, typeTag, started);
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

    private void deadLetter(Outbox outbox, ConsumerRecord<String, byte[]> record, JobRef job, Failure failure,
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
