-- A dead letter too large for Kafka is kept whole here by the worker before its truncated copy goes to the DLQ
-- (DeadLetterWriter): state PENDING, no DLQ coordinates yet, and spill_key naming the record that was dead-lettered,
-- so that running that record again rewrites the same row. The copy's courier-truncated header names the row, and
-- the indexer gives the row the copy's coordinates (state NEW) instead of indexing the copy as a second row.
alter table dead_letter alter column dlq_topic_id drop not null;
alter table dead_letter alter column dlq_partition drop not null;
alter table dead_letter alter column dlq_offset drop not null;
alter table dead_letter add column spill_key text unique;
