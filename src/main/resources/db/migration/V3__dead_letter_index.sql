-- One row per record of the dead-letter topic, written by DeadLetterIndexer. (topic id, partition, offset) is the
-- record's identity: indexing it again (a restart, a rebalance) changes nothing, and a re-created topic (whose
-- offsets start again at 0) gets a new topic id instead of colliding with the old rows.
create table dead_letter (
    id                  bigserial    primary key,
    dlq_topic_id        varchar(32)  not null,
    dlq_partition       int          not null,
    dlq_offset          bigint       not null,
    job_id              varchar(128),
    job_type            varchar(64),
    account_id          varchar(128),
    error_class         varchar(64)  not null,
    http_status         int,
    linkedin_code       varchar(128),
    service_error_code  int,
    linkedin_request_id varchar(128),
    message             text         not null,
    first_failure_at    timestamptz,
    last_failure_at     timestamptz,
    attempts            int          not null,
    replay_count        int          not null,
    original_topic      varchar(255) not null,
    original_partition  int,
    original_offset     bigint,
    record_key          text,
    record_value        bytea,
    headers             text         not null,
    dead_at             timestamptz  not null,
    state               varchar(16)  not null,
    handled_at          timestamptz,
    unique (dlq_topic_id, dlq_partition, dlq_offset)
);
create index dead_letter_state on dead_letter (state, id);
create index dead_letter_class on dead_letter (error_class, dead_at);
create index dead_letter_account on dead_letter (account_id, dead_at);

-- Who replayed or discarded what, when, with which filter, and how it went. Kept as long as the database.
create table dead_letter_audit (
    id          bigserial    primary key,
    at          timestamptz  not null,
    operator    varchar(128) not null,
    action      varchar(16)  not null,
    filter      text         not null,
    dry_run     boolean      not null,
    matched     int          not null,
    replayed    int          not null,
    discarded   int          not null,
    refused     int          not null,
    deferred    int          not null
);
