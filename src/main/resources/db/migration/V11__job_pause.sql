-- Accounts and job types an operator paused (job.Pauses): their jobs wait in the retry tiers until resumed.
-- Every pod reads this table every courier.worker.pause-refresh, so a pause or resume reaches them all within it.
create table job_pause (
    scope     text        not null check (scope in ('account', 'job-type')),
    value     text        not null,
    paused_at timestamptz not null,
    paused_by text        not null,
    primary key (scope, value)
);
