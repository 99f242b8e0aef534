-- A post job's media uploads, one row per item, so that a retry, a crash or a rebalance continues where the last
-- run stopped: a part LinkedIn has is not sent again, a finalized upload is not initialized again, and the post
-- names the media LinkedIn already has.
create table media_upload (
    account_id            text        not null,
    job_id                text        not null,
    item                  int         not null,
    -- the producer's URL and the size of what it gave: other media (a replaced job) or other bytes start over
    url                   text        not null,
    size_bytes            bigint      not null,
    media_urn             text        not null,
    -- a video's token for its finalizeUpload
    upload_token          text,
    -- [{"url","firstByte","lastByte","etag"}]: LinkedIn's pre-signed URLs (never logged) and, once a part is up,
    -- its ETag ("" where LinkedIn sends none)
    parts                 jsonb       not null,
    upload_url_expires_at timestamptz not null,
    -- every part up, and for a video its finalizeUpload accepted
    uploaded_at           timestamptz,
    available_at          timestamptz,
    updated_at            timestamptz not null default now(),
    primary key (account_id, job_id, item)
);
