-- What takes the space when the disk is full: the largest relations (with their indexes and TOAST),
-- and the WAL kept for replication slots that do not consume it. A relation someone holds or awaits
-- in ACCESS EXCLUSIVE mode is sized from the catalog (relpages), so this never queues behind a lock.
SELECT 'relation' AS what,
       CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name,
       CASE WHEN EXISTS (SELECT 1 FROM pg_locks l WHERE l.relation = c.oid AND l.mode = 'AccessExclusiveLock')
            THEN c.relpages::bigint * current_setting('block_size')::bigint
            ELSE pg_total_relation_size(c.oid) END AS bytes
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
UNION ALL
SELECT 'slot', slot_name::text, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint
FROM pg_replication_slots
WHERE restart_lsn IS NOT NULL
ORDER BY bytes DESC NULLS LAST
LIMIT 4
