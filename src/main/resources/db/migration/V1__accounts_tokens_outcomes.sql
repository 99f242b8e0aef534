-- Connected LinkedIn accounts. Tokens live apart so that reading an account never touches a secret.
create table account (
    id          varchar(128) primary key,
    status      varchar(32)  not null,
    member_urn  varchar(255),
    scopes      text,
    created_at  timestamptz  not null,
    updated_at  timestamptz  not null
);

-- Tokens, AES-256-GCM encrypted (nonce || ciphertext || tag); key_id names the key for rotation.
create table account_token (
    account_id                varchar(128) primary key references account (id) on delete cascade,
    key_id                    varchar(64)  not null,
    access_token              bytea        not null,
    access_token_expires_at   timestamptz  not null,
    refresh_token             bytea,
    refresh_token_expires_at  timestamptz,
    version                   bigint       not null default 0,
    updated_at                timestamptz  not null
);

-- One row per job that succeeded: the idempotency record. A job seen again re-emits this result.
create table job_outcome (
    job_id       varchar(128) primary key,
    job_type     varchar(64)  not null,
    account_id   varchar(128) not null,
    status       varchar(32)  not null,
    result       text         not null,
    finished_at  timestamptz  not null
);
create index job_outcome_account on job_outcome (account_id, finished_at);
