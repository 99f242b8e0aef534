package io.courier.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.job.JobControl;
import io.courier.job.JobEnvelope;
import io.courier.job.JobRef;
import io.courier.job.JobValidator;
import io.courier.job.Pauses;
import io.courier.job.Validation;
import io.courier.media.MediaException;
import io.courier.media.MediaIntake;
import io.courier.media.MediaUploads;
import io.courier.platform.Outputs;
import io.courier.quota.QuotaDeniedException;
import io.courier.retry.DeadLetterWriter;
import io.courier.retry.Decision;
import io.courier.retry.ErrorClass;
import io.courier.retry.Failure;
import io.courier.retry.RetryPolicy;
import io.courier.retry.RetryRouter;
import io.courier.retry.RetryState;
import io.courier.tracing.JobTracing;
import io.courier.worker.JobCalls.Ending;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Takes one record to its outcome through the job's steps: validate ({@link JobValidator}) → look up (an earlier
 * success or cancel, a newer version, the account's token: {@link JobPreflight}) → fetch and check a post's media
 * ({@link MediaIntake}) →
 * authorize, budget and call ({@link JobCalls}) → decide
 * ({@link RetryPolicy}) → record ({@link JobOutcomes}, into the caller's {@link Outputs}, which the caller
 * publishes atomically with the record's offset). Infrastructure failures throw.
 */
@ApplicationScoped
class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    private final JobValidator validator;
    private final JobPreflight preflight;
    private final JobCalls calls;
    private final RetryPolicy policy;
    private final JobOutcomes outcomes;
    private final RetryRouter router;
    private final MediaIntake intake;
    private final MediaUploads uploads;
    private final JobControl control;
    private final AccountLanes lanes;
    private final java.time.Duration staleAfter;
    private final Clock clock;
    private final JobTracing tracing;
    private final Pauses pauses;

    JobRunner(ObjectMapper json, WorkerConfig config, JobPreflight preflight, JobCalls calls, RetryPolicy policy,
            JobOutcomes outcomes, RetryRouter router, MediaIntake intake, MediaUploads uploads, JobControl control,
            AccountLanes lanes, Clock clock, JobTracing tracing, Pauses pauses) {
        this.tracing = tracing;
        this.pauses = pauses;
        this.validator = new JobValidator(json, config.maxRecordBytes());
        this.preflight = preflight;
        this.calls = calls;
        this.policy = policy;
        this.outcomes = outcomes;
        this.router = router;
        this.intake = intake;
        this.uploads = uploads;
        this.control = control;
        this.lanes = lanes;
        this.staleAfter = config.orderingStaleAfter();
        this.clock = clock;
    }

    void run(ConsumerRecord<String, byte[]> record, Outputs outputs) {
        Instant started = clock.instant();
        RetryState state = router.stateOf(record);
        switch (tracing.step("validate", () -> validator.validate(record.value()))) {
            case Validation.Invalid invalid -> {
                try (var ignored = JobLogContext.open(JobRef.of(invalid))) {
                    outcomes.deadLetter(outputs, DeadLetterWriter.Original.of(record), JobRef.of(invalid),
                            Failure.of(ErrorClass.INVALID_JOB, invalid.message()), state, JobMetrics.INVALID_TYPE,
                            started);
                }
            }
            case Validation.Valid valid -> {
                try (var ignored = JobLogContext.open(JobRef.of(valid.job()))) {
                    runValid(new JobRun(record, outputs, valid.job(), state, started));
                }
            }
            case Validation.Cancel cancel -> {
                try (var ignored = JobLogContext.open(JobRef.of(cancel))) {
                    outcomes.cancel(outputs, cancel, started);
                }
            }
        }
    }

    /**
     * The record could not be run: an exception nobody classified came back courier.worker.max-infrastructure-attempts
     * times. It is dead-lettered as INTERNAL with the exception's class and message, so the partition moves on.
     */
    void giveUp(ConsumerRecord<String, byte[]> record, Outputs outputs, RuntimeException cause, int tries) {
        Instant now = clock.instant();
        JobRef ref = switch (validator.validate(record.value())) { // never throws
            case Validation.Valid valid -> JobRef.of(valid.job());
            case Validation.Invalid invalid -> JobRef.of(invalid);
            case Validation.Cancel cancel -> JobRef.of(cancel);
        };
        if (outcomes.publishUnrecorded(outputs, ref, cause)) {
            return;
        }
        outcomes.leaveLane(ref, router.stateOf(record).originalTopic());
        String message = tries + " tries: " + cause.getClass().getName() + ": " + cause.getMessage();
        LOG.errorf(cause,
                "job could not be run, dead-lettered as INTERNAL jobId=%s", ref.jobId().orElse("-"));
        outcomes.deadLetter(outputs, DeadLetterWriter.Original.of(record), ref,
                Failure.of(ErrorClass.INTERNAL, message),
                router.stateOf(record), ref.type().orElse(JobMetrics.INVALID_TYPE), now);
    }

    private void runValid(JobRun fresh) {
        if (outcomes.recordUnrecorded(fresh)) {
            return;
        }
        Optional<Instant> notBefore = fresh.job().notBefore().filter(t -> t.isAfter(clock.instant()));
        if (notBefore.isPresent()) {
            outcomes.schedule(fresh, notBefore.get()); // before any look-up: a job months ahead costs no query a hop
            return;
        }
        JobPreflight.Preflight known = tracing.step("look up", () -> preflight.read(fresh.job().jobId(),
                fresh.job().accountId(), fresh.state().originalTopic()));
        JobRun run = fresh.withLane(known.inLane());
        // Another job of the account is first in its lane on this topic (it waits in a tier, or is parked).
        Optional<AccountLanes.Head> ahead = known.laneHead().filter(h -> !h.jobId().equals(run.job().jobId()))
                .filter(h -> lanes.enabled() && lanes.holds(run, h, staleAfter));
        Optional<String> earlier = known.earlierResult();
        Optional<Instant> newer = known.newestVersion().filter(v -> v.isAfter(JobControl.versionOf(run.job())));
        Optional<Instant> notAfter = run.job().notAfter().filter(t -> !t.isAfter(clock.instant()));
        if (known.cancelled()) {
            outcomes.endCancelled(run);
        } else if (earlier.isPresent()) {
            outcomes.reemit(run, earlier.get());
        } else if (newer.isPresent()) {
            outcomes.endReplaced(run, newer.get());
        } else if (notAfter.isPresent()) {
            decideBeforeAnyCall(run, Failure.of(ErrorClass.EXPIRED, "notAfter " + notAfter.get()
                    + " passed before the job could run; it is not run late"));
        } else if (pauses.holds(run.job())) {
            outcomes.pause(run); // its account or type is paused: it waits in a tier (a cancel still ends it)
        } else if (known.reauthRequired()) {
            decideBeforeAnyCall(run, Failure.of(ErrorClass.REAUTH_REQUIRED, "the account waits for re-authorization"));
        } else if (known.grant().isEmpty()) {
            decideBeforeAnyCall(run, Failure.of(ErrorClass.INVALID_JOB, "accountId: no connected account '"
                    + run.job().accountId() + "' (import its tokens with PUT /admin/accounts/{accountId}/tokens)"));
        } else if (ahead.isPresent()) {
            outcomes.holdBehind(run, ahead.get());
        } else {
            MediaIntake.Fetched media;
            try {
                media = fetchMedia(run.job());
            } catch (MediaException e) {
                if (e.kind() == MediaException.Kind.REJECTED) {
                    decideBeforeAnyCall(run, Failure.of(ErrorClass.INVALID_JOB, e.getMessage()));
                } else {
                    // The media server's failure, not LinkedIn's: an attempt (so the retries end), no call made.
                    decide(run, new Ending.Failed(Failure.of(ErrorClass.NETWORK, e.getMessage()), e, 1, true));
                }
                return;
            }
            if (known.newestVersion().filter(v -> v.isBefore(JobControl.versionOf(run.job()))).isPresent()) {
                // An older version waits: from now on it is this one's to replace.
                control.register(run.job(), JobControl.Wait.of(JobControl.Wait.Reason.RUNNING, run.state().attempts(),
                        null));
            }
            try (media) {
                decide(run, calls.run(run.job(), media, known.grant().get(), run.state().attempts()));
            }
        }
    }

    /** A post's media items not yet uploaded, fetched and checked before any LinkedIn call or token use. */
    private MediaIntake.Fetched fetchMedia(JobEnvelope job) {
        if (!job.type().isPost() || !job.payload().has("media")) {
            return MediaIntake.Fetched.NONE;
        }
        return intake.fetch(job, uploads.of(job.accountId(), job.jobId()));
    }

    /** A failure found before the job called anything: the job's retry state stays as it came. */
    private void decideBeforeAnyCall(JobRun run, Failure failure) {
        Instant now = clock.instant();
        Decision decision = policy.decide(failure, run.state().attempts(), 0, now, draw());
        outcomes.carryOut(run, failure, run.state(), decision, now, () -> LinkedInJobs.doneDespite(failure));
    }

    /** The decide step: what the calls' ending means for the job is the policy's alone. */
    private void decide(JobRun run, Ending ending) {
        Instant now = clock.instant();
        int before = run.state().attempts();
        switch (ending) {
            case Ending.Succeeded done -> outcomes.succeed(run, done.result(), before + done.calls());
            case Ending.Stopped stopped -> {
                switch (stopped.stop()) {
                    case JobControl.Stop.Cancelled c -> outcomes.endCancelled(run);
                    case JobControl.Stop.Replaced replaced -> outcomes.endReplaced(run, replaced.by());
                }
            }
            case Ending.Failed failed -> {
                Decision decision = failed.attempt()
                        ? policy.decide(failed.failure(), before, failed.calls(), now, draw())
                        : policy.defer(failed.failure(), before, failed.calls(), run.state().firstFailureAt(), now,
                                draw());
                outcomes.carryOut(run, failed.failure(), run.state().after(decision.attempts() - before, now), decision,
                        now, () -> LinkedInJobs.doneDespite(failed.failure()));
            }
            case Ending.NoBudget denied -> {
                // Not a failure of the job's: no first-failure time unless calls failed before.
                QuotaDeniedException e = denied.denied();
                Failure failure = Failure.of(e.untilNextWindow() ? ErrorClass.QUOTA_EXHAUSTED : ErrorClass.RATE_LIMITED,
                        e.getMessage());
                Decision decision = policy.waitForBudget(before, denied.calls(), e.waitFor(), e.spread(), now, draw());
                RetryState state = denied.calls() > 0 ? run.state().after(denied.calls(), now) : run.state();
                outcomes.carryOut(run, failure, state, decision, now, () -> LinkedInJobs.doneDespite(failure));
            }
        }
    }

    private static double draw() {
        return ThreadLocalRandom.current().nextDouble();
    }
}
