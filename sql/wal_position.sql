-- Where the server's WAL is now, in bytes from the start, and the server's clock: two readings
-- give the WAL written per second. A server in recovery has no insert position: its replay point.
SELECT pg_wal_lsn_diff(
         CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END,
         '0/0')::float8 AS lsn_bytes,
       (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS at_ms,
       pg_is_in_recovery() AS in_recovery
