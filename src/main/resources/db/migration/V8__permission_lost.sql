-- A member's lost admin role on an organization page, per account and organization: an episode starts when LinkedIn
-- refuses the account an organization post (or its ACLs no longer list the page) and ends at its next success there.
-- The row makes the courier.account.permission-lost event once per episode, on any number of pods.
create table account_permission_lost (
    account_id   varchar(128) not null,
    organization varchar(255) not null,
    lost_at      timestamptz  not null,
    primary key (account_id, organization)
);
