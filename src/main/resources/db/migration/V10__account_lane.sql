-- One account's jobs on a topic in order through retries and parking (issue #19, courier.worker.ordering): while a
-- job of the account waits (a retry tier, parked), it and the account's later jobs on that topic have a row here, in
-- arrival order (seq). Only the first row's job runs; the others wait in the tiers behind it. A job leaves when it
-- ends; an account with no job waiting has no rows, and costs nothing but the look-up in its jobs' preflight.
create table account_lane (
    seq        bigserial    primary key,
    account_id varchar(128) not null,
    topic      varchar(255) not null,
    job_id     varchar(128) not null,
    -- When the job's record comes back: its tier's due time, or when it was released from parking; null while parked.
    due_at     timestamptz,
    joined_at  timestamptz  not null,
    unique (account_id, topic, job_id)
);
create index account_lane_order on account_lane (account_id, topic, seq);
