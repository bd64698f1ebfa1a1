-- The replication slots and the WAL each one keeps from being recycled (from its restart_lsn to
-- the server's current position). An inactive slot retaining more than max_wal_size (what the
-- server would otherwise recycle at a checkpoint) is filling the disk for a consumer that is gone.
WITH here AS (
  SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END AS lsn
)
SELECT s.slot_name AS name,
       s.slot_type AS type,
       s.database,
       s.active,
       s.wal_status,
       greatest(0, pg_wal_lsn_diff(here.lsn, s.restart_lsn))::bigint AS retained_bytes,
       pg_size_bytes(current_setting('max_wal_size')) AS warn_bytes
FROM pg_replication_slots s, here
ORDER BY s.slot_name
