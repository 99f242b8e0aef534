-- The ops console's overview counts the last hour's outcomes and dead letters by time, and its jobs view looks one
-- job's dead letters up by its id, without reading whole tables. Not CONCURRENTLY: Flyway's own open transaction
-- makes a concurrent build wait until the statement timeout. Where job_outcome or dead_letter is large, build them
-- first by hand with CREATE INDEX CONCURRENTLY under these names (README "Upgrading"): IF NOT EXISTS then skips them.
create index if not exists job_outcome_finished on job_outcome (finished_at);
create index if not exists dead_letter_dead_at on dead_letter (dead_at);
create index if not exists dead_letter_job on dead_letter (job_id);
