-- The ops console's overview counts the last hour's outcomes: by finish time, without reading the whole table.
create index job_outcome_finished on job_outcome (finished_at);
create index dead_letter_dead_at on dead_letter (dead_at);
-- ... and looks one job up by its id (GET /admin/jobs/{accountId}/{jobId}).
create index dead_letter_job on dead_letter (job_id);
