-- Where the server inserts WAL now, in bytes from the start: two readings around a batch of a
-- backfill give the WAL it wrote, its commit record included, before the WAL writer has flushed it
-- (with synchronous_commit off the write position trails behind).
SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::float8 AS lsn_bytes
