-- Index builds running in this database (CREATE INDEX [CONCURRENTLY], REINDEX), with the counters
-- PostgreSQL reports per phase: blocks while the table is scanned, tuples while the tree is loaded,
-- lockers while a CONCURRENTLY build waits for older transactions (and which pid it waits for now).
-- The index of a plain CREATE INDEX is not committed yet, so its name is invisible to this session:
-- the builder's query is returned for the caller to show instead.
-- Names are read from the catalogs without taking locks, so a build under ACCESS EXCLUSIVE is shown.
-- pg_stat_get_activity(pid) reads the builders only, not every backend as pg_stat_activity would.
SELECT p.pid,
       p.command,
       p.phase,
       CASE WHEN p.relid <> 0 THEN p.relid::regclass::text END AS table_name,
       (SELECT c.relname FROM pg_class c WHERE c.oid = p.index_relid) AS index_name,
       p.lockers_total, p.lockers_done, nullif(p.current_locker_pid, 0) AS current_locker_pid,
       p.blocks_total, p.blocks_done,
       p.tuples_total, p.tuples_done,
       p.partitions_total, p.partitions_done,
       coalesce(a.query, '') AS query,
       floor(extract(epoch FROM now() - a.query_start) * 1000) AS running_ms
FROM pg_stat_progress_create_index p
LEFT JOIN LATERAL pg_stat_get_activity(p.pid) a ON true
WHERE p.datid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY p.pid
