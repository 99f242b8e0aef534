-- The newest version (createdAt) of each job that had to wait (scheduled, delayed, parked), so that a waiting record
-- older than a version seen since is replaced and ends without running (issue #19: edit a scheduled post). Read with
-- the job's outcome just before it runs; cancellations are outcomes (job_outcome.status CANCELLED).
create table job_version (
    account_id  varchar(128) not null,
    job_id      varchar(128) not null,
    created_at  timestamptz  not null,
    job_type    varchar(64)  not null,
    seen_at     timestamptz  not null,
    primary key (account_id, job_id)
);
create index job_version_seen on job_version (seen_at);
