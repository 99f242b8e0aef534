-- Idempotency is per (account_id, job_id) (CONTRACT §3): a job id another account used is a different job, and one
-- account's result is never handed to another.
alter table job_outcome drop constraint job_outcome_pkey;
alter table job_outcome add primary key (account_id, job_id);
