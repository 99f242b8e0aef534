-- Why an account needs re-authorization, and since when. A transition to REAUTH_REQUIRED starts an episode.
alter table account add column status_reason text;
alter table account add column status_changed_at timestamptz;

-- Account events (CloudEvents) waiting to be published: a transactional outbox. Each row is written in the same
-- PostgreSQL transaction as the state change it reports; AuthEventRelay publishes it and stamps published_at.
-- dedupe_key makes an event once-only where a state change alone cannot (reauth-soon thresholds).
create table auth_event (
    seq           bigserial    primary key,
    event_id      varchar(64)  not null unique,
    account_id    varchar(128) not null,
    type          varchar(64)  not null,
    dedupe_key    varchar(255) unique,
    payload       text         not null,
    created_at    timestamptz  not null,
    published_at  timestamptz
);
create index auth_event_pending on auth_event (seq) where published_at is null;

-- Jobs of accounts waiting for re-authorization, in arrival order (seq). The source coordinates and the job id make
-- parking the same record twice (a redelivery after a crash) a no-op; the job id keeps a re-created topic, whose
-- offsets start again at 0, from colliding with older rows.
create table parked_job (
    seq               bigserial    primary key,
    account_id        varchar(128) not null,
    job_id            varchar(128) not null,
    job_type          varchar(64)  not null,
    target_topic      varchar(255) not null,
    source_topic      varchar(255) not null,
    source_partition  int          not null,
    source_offset     bigint       not null,
    record_key        text,
    record_value      bytea        not null,
    headers           text         not null,
    parked_at         timestamptz  not null,
    unique (source_topic, source_partition, source_offset, job_id)
);
create index parked_job_account on parked_job (account_id, seq);
create index parked_job_age on parked_job (parked_at);
