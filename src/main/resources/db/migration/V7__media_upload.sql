-- A post job's media uploads, one row per item, so that a retry, a crash or a rebalance continues where the last
-- run stopped: an item LinkedIn has is never uploaded again, and the post names the media it already has.
create table media_upload (
    account_id            text        not null,
    job_id                text        not null,
    item                  int         not null,
    -- the producer's URL the bytes came from: a replaced job with other media starts that item over
    url                   text        not null,
    media_urn             text        not null,
    -- LinkedIn's pre-signed URL for the bytes (expires); never logged
    upload_url            text        not null,
    upload_url_expires_at timestamptz not null,
    uploaded_at           timestamptz,
    available_at          timestamptz,
    updated_at            timestamptz not null default now(),
    primary key (account_id, job_id, item)
);
