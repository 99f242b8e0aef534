-- The dead-letter audit is written before the action (state 'started'), then finished as 'done' (with its counts)
-- or 'failed' (with why): an action the database cannot audit does not happen, and one that broke half-way says so.
-- Rows from before this migration were written after their action succeeded: they are 'done'.
alter table dead_letter_audit
    add column state       varchar(16)  not null default 'done',
    add column reason      varchar(256),
    add column finished_at timestamptz,
    add column failure     text;
alter table dead_letter_audit alter column state drop default;
