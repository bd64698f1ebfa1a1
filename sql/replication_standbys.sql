-- The standbys streaming from this server and how far behind each one is: write, flush and replay
-- lag in seconds (as the standby last reported them) and in bytes of WAL. A caught-up idle standby
-- reports NULL lag times: 0 then, not unknown. A server in recovery (a cascading standby) measures
-- from its own replay point, as pg_current_wal_lsn() fails there. Without pg_read_all_stats the
-- positions are hidden: NULL. The replay and flush positions, with the time of the reply that
-- reported them, give each standby's replay rate (operations/hold.ts).
WITH here AS (
  SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END AS lsn
)
SELECT r.application_name AS name,
       host(r.client_addr) AS client_address,
       r.state,
       r.sync_state,
       CASE WHEN r.write_lag IS NULL AND r.write_lsn >= here.lsn THEN 0
            ELSE extract(epoch FROM r.write_lag)::float8 END AS write_lag_seconds,
       CASE WHEN r.flush_lag IS NULL AND r.flush_lsn >= here.lsn THEN 0
            ELSE extract(epoch FROM r.flush_lag)::float8 END AS flush_lag_seconds,
       CASE WHEN r.replay_lag IS NULL AND r.replay_lsn >= here.lsn THEN 0
            ELSE extract(epoch FROM r.replay_lag)::float8 END AS replay_lag_seconds,
       greatest(0, pg_wal_lsn_diff(here.lsn, r.write_lsn))::bigint AS write_lag_bytes,
       greatest(0, pg_wal_lsn_diff(here.lsn, r.flush_lsn))::bigint AS flush_lag_bytes,
       greatest(0, pg_wal_lsn_diff(here.lsn, r.replay_lsn))::bigint AS replay_lag_bytes,
       pg_wal_lsn_diff(r.replay_lsn, '0/0')::float8 AS replay_lsn_bytes,
       pg_wal_lsn_diff(r.flush_lsn, '0/0')::float8 AS flush_lsn_bytes,
       (extract(epoch FROM r.reply_time) * 1000)::float8 AS reply_at_ms
FROM pg_stat_replication r, here
ORDER BY r.application_name, r.pid
