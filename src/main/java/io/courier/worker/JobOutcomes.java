package io.courier.worker;

import io.courier.job.JobControl;
import io.courier.job.JobEnvelope;
import io.courier.job.JobRef;
import io.courier.job.OutcomeStore;
import io.courier.job.ResultEvent;
import io.courier.job.Validation;
import io.courier.platform.Outputs;
import io.courier.retry.DeadLetterWriter;
import io.courier.retry.Decision;
import io.courier.retry.ErrorClass;
import io.courier.retry.Failure;
import io.courier.retry.RetryRouter;
import io.courier.retry.RetryState;
import io.courier.worker.JobMetrics.Outcome;
import io.courier.worker.LinkedInJobs.JobResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The record step: carries out what was decided for a job, into the caller's {@link Outputs} (published atomically
 * with the record's offset): a result event (a success first recorded in the outcome table), a retry-tier record,
 * a parked row, or a dead letter plus its DEAD_LETTERED result. Counts and logs each outcome.
 */
@ApplicationScoped
class JobOutcomes {

    private static final Logger LOG = Logger.getLogger(JobOutcomes.class);
    private static final Duration UNRECORDED_KEPT = Duration.ofDays(1);
    /** How soon a held job looks again when the job ahead of it is running or was just released. */
    private static final Duration HELD_RECHECK = Duration.ofMillis(250);

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

    private final OutcomeStore outcomes;
    private final ResultPublisher results;
    private final DeadLetterWriter deadLetters;
    private final RetryRouter router;
    private final ParkedJobs parked;
    private final JobMetrics metrics;
    private final JobControl control;
    private final AccountLanes lanes;
    private final Clock clock;
    private final java.time.Duration pauseRecheck;

    JobOutcomes(OutcomeStore outcomes, ResultPublisher results, DeadLetterWriter deadLetters, RetryRouter router,
            ParkedJobs parked, JobMetrics metrics, JobControl control, AccountLanes lanes, Clock clock,
            WorkerConfig config) {
        this.pauseRecheck = config.pauseRecheck();
        this.outcomes = outcomes;
        this.results = results;
        this.deadLetters = deadLetters;
        this.router = router;
        this.parked = parked;
        this.metrics = metrics;
        this.control = control;
        this.lanes = lanes;
        this.clock = clock;
    }

    /** Records a success an earlier run of this job could not record; false when there is none. */
    boolean recordUnrecorded(JobRun run) {
        Unrecorded success = unrecorded.get(new JobKey(run.job().accountId(), run.job().jobId()));
        if (success == null) {
            return false;
        }
        record(run.outputs(), run.job(), success);
        if (lanes.enabled()) {
            lanes.leave(run); // not looked up (rare): whether the job was in its lane is not known here
        }
        return true;
    }

    /** A job that ended outside a run (given up) leaves its lane; best effort (an overdue head stops holding). */
    void leaveLane(JobRef ref, String topic) {
        if (!lanes.enabled() || ref.accountId().isEmpty() || ref.jobId().isEmpty()) {
            return;
        }
        try {
            lanes.leave(ref.accountId().get(), topic, ref.jobId().get());
        } catch (RuntimeException e) {
            LOG.warnf("job given up but still first in its account's lane jobId=%s cause=%s", ref.jobId().get(),
                    e.getMessage());
        }
    }

    /**
     * An earlier job of the account is first in its lane: this one waits behind it in the tiers (no failure, no
     * attempt), waking when that job is due back, or soon when it is running or was just released.
     */
    void holdBehind(JobRun run, AccountLanes.Head ahead) {
        Instant now = clock.instant();
        Instant soon = now.plus(HELD_RECHECK);
        Instant wake = ahead.dueAt().filter(soon::isBefore).orElse(soon);
        lanes.join(run, Optional.of(wake));
        router.holdBehind(run.outputs(), run.record(), run.ref(), run.state(), now, wake, ahead.jobId(),
                !run.inLane());
        metrics.record(run.typeTag(), Outcome.HELD, Duration.between(run.started(), now));
    }

    /** The run ended the job: it leaves its account's lane, so the next in line runs. */
    private void ended(JobRun run) {
        if (run.inLane()) {
            lanes.leave(run);
        }
    }

    /**
     * The record could not be run (see JobRunner.giveUp), but LinkedIn has done the job and only its recording
     * keeps failing: the success is published unrecorded, which beats calling it a failure (a redelivered copy,
     * with no outcome row to stop it, relies on LinkedIn's duplicate-post answer). False when there is none.
     */
    boolean publishUnrecorded(Outputs outputs, JobRef ref, RuntimeException cause) {
        if (ref.accountId().isEmpty() || ref.jobId().isEmpty()) {
            return false;
        }
        Unrecorded success = unrecorded.remove(new JobKey(ref.accountId().get(), ref.jobId().get()));
        if (success == null) {
            return false;
        }
        LOG.errorf(cause, "job succeeded but its outcome could not be recorded jobId=%s", ref.jobId().get());
        results.publish(outputs, ref.accountId().get(), success.json());
        return true;
    }

    /** The job succeeded before: its stored result is published again, nothing is called. */
    void reemit(JobRun run, String earlierResult) {
        ended(run);
        results.publish(run.outputs(), run.job().accountId(), earlierResult);
        LOG.infof("job already succeeded, result re-emitted jobId=%s", run.job().jobId());
        metrics.record(run.typeTag(), Outcome.REEMITTED, Duration.between(run.started(), clock.instant()));
    }

    void succeed(JobRun run, JobResult result, int attempts) {
        Instant finished = clock.instant();
        JobEnvelope job = run.job();
        ResultEvent event = ResultEvent.succeeded(job, attempts, finished, result.linkedinRequestId().orElse(null),
                result.data(), result.duplicate());
        Unrecorded success = new Unrecorded(event, results.toJson(event), result.duplicate(), run.started());
        // An entry whose record went to another pod before it was recorded is never taken here again; a day later
        // that record ended elsewhere long ago, so drop it (the map holds only jobs in progress, so this is cheap).
        unrecorded.values().removeIf(u -> u.started().isBefore(finished.minus(UNRECORDED_KEPT)));
        unrecorded.put(new JobKey(job.accountId(), job.jobId()), success);
        record(run.outputs(), job, success);
        ended(run);
    }

    /**
     * Carries out a decision made for a failure at {@code now} (the failure time in the headers is the one its delay
     * counts from); {@code state} is the job's retry state after the run, {@code asSuccess} the result when the
     * failure means success.
     */
    void carryOut(JobRun run, Failure failure, RetryState state, Decision decision, Instant now,
            Supplier<JobResult> asSuccess) {
        switch (decision) {
            case Decision.RetryLater later -> {
                control.register(run.job(), JobControl.Wait.retry(state.attempts(), failure.errorClass().name(),
                        failure.message(), later.dueAt()));
                if (failure.errorClass() == ErrorClass.POST_PENDING) {
                    ended(run); // it waits for a later job of the account: holding the lane would wait for ever
                } else {
                    lanes.join(run, Optional.of(later.dueAt()));
                }
                router.retryLater(run.outputs(), run.record(), run.ref(), failure, state, now, later.dueAt());
                metrics.record(run.typeTag(), Outcome.DELAYED, Duration.between(run.started(), now));
            }
            case Decision.DeadLetter dead -> {
                ended(run);
                deadLetter(run.outputs(), DeadLetterWriter.Original.of(run.record()), run.ref(),
                        new Failure(dead.errorClass(), dead.reason(), failure.httpStatus(), failure.linkedInCode(),
                                failure.serviceErrorCode(), failure.linkedinRequestId(), failure.retryAfter()),
                        state, run.typeTag(), run.started());
            }
            case Decision.Park park -> {
                control.register(run.job(), JobControl.Wait.of(JobControl.Wait.Reason.PARKED, state.attempts(), null));
                lanes.join(run, Optional.empty());
                parked.park(run.record(), run.job(), state);
                LOG.infof("job parked until the account is re-authorized jobId=%s accountId=%s", run.job().jobId(),
                        run.job().accountId());
                metrics.record(run.typeTag(), Outcome.PARKED, Duration.between(run.started(), now));
            }
            case Decision.TreatAsSuccess done -> succeed(run, asSuccess.get(), done.attempts());
        }
    }

    /** The job is not due yet (its notBefore): it waits in the tiers; no failure, no attempt. */
    void schedule(JobRun run, Instant notBefore) {
        Instant now = clock.instant();
        control.register(run.job(), JobControl.Wait.of(JobControl.Wait.Reason.SCHEDULED, run.state().attempts(),
                notBefore)); // once: a scheduled record hops on through the tiers without coming back here
        router.schedule(run.outputs(), run.record(), run.ref(), run.state(), now, notBefore);
        metrics.record(run.typeTag(), Outcome.SCHEDULED, Duration.between(run.started(), now));
    }

    /**
     * The job's account or type is paused: it waits in a tier and looks again after courier.worker.pause-recheck.
     * Not a failure: its retry state goes on as it came.
     */
    void pause(JobRun run) {
        Instant now = clock.instant();
        Instant recheck = now.plus(pauseRecheck);
        if (!run.inLane()) {
            // From now on a newer version replaces it, as for any job that waits. Not written again at each look: the
            // jobs view reads the pause itself (ops.JobHistory).
            control.register(run.job(),
                    JobControl.Wait.of(JobControl.Wait.Reason.PAUSED, run.state().attempts(), null));
        }
        lanes.join(run, Optional.of(recheck)); // keeps its place: the account's later jobs wait behind it
        router.pause(run.outputs(), run.record(), run.ref(), run.state(), now, recheck);
        metrics.record(run.typeTag(), Outcome.PAUSED, Duration.between(run.started(), now));
    }

    /** The job was cancelled; its CANCELLED result went out with the cancel, so this record ends quietly. */
    void endCancelled(JobRun run) {
        ended(run);
        LOG.infof("job was cancelled, not run jobId=%s", run.job().jobId());
        metrics.record(run.typeTag(), Outcome.CANCELLED, Duration.between(run.started(), clock.instant()));
    }

    /** A newer version of the job was seen (a producer's edit): this one ends without running or a result. */
    void endReplaced(JobRun run, Instant newer) {
        ended(run);
        LOG.infof("job replaced by a newer version, not run jobId=%s createdAt=%s newerCreatedAt=%s",
                run.job().jobId(), run.job().createdAt(), newer);
        metrics.record(run.typeTag(), Outcome.REPLACED, Duration.between(run.started(), clock.instant()));
    }

    /**
     * A job.cancel record: the job is cancelled unless it already ended, and the answer goes out as the job's result
     * (CANCELLED, or what happened to a job that ran).
     */
    void cancel(Outputs outputs, Validation.Cancel cancel, Instant started) {
        JobControl.CancelAnswer answer = control.cancel(cancel.accountId(), cancel.jobId());
        results.publish(outputs, cancel.accountId(), answer.resultJson());
        if (!answer.cancelled()) {
            LOG.infof("cancel came after the job ended, its result re-emitted jobId=%s", cancel.jobId());
        }
        metrics.record(Validation.Cancel.TYPE, answer.cancelled() ? Outcome.CANCELLED : Outcome.REEMITTED,
                Duration.between(started, clock.instant()));
    }

    /** A dead letter of a record kept since it was read (a parked job), with the retry state its headers carry. */
    void deadLetterKept(Outputs outputs, DeadLetterWriter.Original kept, JobRef job, Failure failure) {
        deadLetter(outputs, kept, job, failure, router.stateOf(kept), job.type().orElse(JobMetrics.INVALID_TYPE),
                clock.instant());
    }

    /** Writes a dead letter and, when the job can be named, its DEAD_LETTERED result. */
    void deadLetter(Outputs outputs, DeadLetterWriter.Original record, JobRef job, Failure failure, RetryState state,
            String typeTag, Instant started) {
        Instant now = clock.instant();
        deadLetters.write(outputs, record, job, failure, state, now);
        if (job.canReportResult()) {
            ResultEvent event = ResultEvent.deadLettered(job.jobId().get(), job.type().orElse(null),
                    job.accountId().get(), state.attempts(), now, failure.linkedinRequestId().orElse(null),
                    failure.errorClass().name(), failure.message());
            results.publish(outputs, job.accountId().get(), results.toJson(event));
        }
        metrics.record(typeTag, Outcome.DEAD_LETTERED, Duration.between(started, now));
    }

    /**
     * Records a success LinkedIn confirmed, then publishes it. If PostgreSQL fails here the exception goes up and the
     * poll loop runs the record again, but that run only records (it finds the success in `unrecorded`): the post
     * is never repeated by Courier's own failure.
     */
    private void record(Outputs outputs, JobEnvelope job, Unrecorded success) {
        String stored = outcomes.recordSuccess(success.event(), success.json());
        unrecorded.remove(new JobKey(job.accountId(), job.jobId()));
        results.publish(outputs, job.accountId(), stored);
        LOG.infof("job succeeded jobId=%s duplicate=%s linkedinRequestId=%s", job.jobId(), success.duplicate(),
                Optional.ofNullable(success.event().linkedinRequestId()).orElse("-"));
        metrics.record(job.type().wireName(), success.duplicate() ? Outcome.DUPLICATE : Outcome.SUCCEEDED,
                Duration.between(success.started(), clock.instant()));
    }
}
