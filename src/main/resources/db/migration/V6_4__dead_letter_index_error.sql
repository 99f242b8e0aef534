-- A dead letter the indexer could not index as it is (a value PostgreSQL refuses, a header that breaks a column) is
-- indexed as a degraded row: its coordinates, raw value and headers, and here the reason. Null on every other row.
alter table dead_letter add column index_error text;
