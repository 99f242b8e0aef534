-- Why a job that has not ended waits, for the console's jobs view (issue #20): retried (its attempts so far, the
-- class and message of its last failure), scheduled, paused or parked, and when its record comes back. Written in
-- the same statement as the job's version (job_version), so knowing this costs no extra round trip; the row goes with
-- the version once the job has an outcome (JobControl.sweep).
alter table job_version
    add column waits_for  varchar(16),
    add column attempts   integer,
    add column error_class varchar(64),
    add column last_error varchar(300),
    add column due_at     timestamptz;
