-- Every user relation plan may meet, with what makes a lock on it expensive: its size on disk, the
-- planner's row estimate and how busy it is. `visible` says whether an unqualified name in a
-- migration resolves to it (its schema is on the search_path).
-- The size comes from pg_total_relation_size, which takes an ACCESS SHARE lock; for a relation
-- that someone holds or awaits in ACCESS EXCLUSIVE mode it would queue behind that lock (and
-- everything would queue behind us), so those fall back to relpages, which needs no lock.
SELECT n.nspname AS schema,
       c.relname AS name,
       c.relkind AS kind,
       n.nspname = ANY (current_schemas(false)) AS visible,
       CASE WHEN EXISTS (SELECT 1 FROM pg_locks l
                         WHERE l.relation = c.oid AND l.mode = 'AccessExclusiveLock'
                           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
            THEN c.relpages::bigint * current_setting('block_size')::bigint
            ELSE pg_total_relation_size(c.oid) END AS bytes,
       -- no statistics yet (never analyzed: -1; or 0 rows over pages that hold data): unknown, not
       -- "0 rows"; the size above is then the measure of the table
       CASE WHEN c.reltuples < 0 OR (c.reltuples = 0 AND c.relpages > 0) THEN NULL
            ELSE c.reltuples::bigint END AS estimated_rows,
       coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0)::bigint AS writes,
       coalesce(s.seq_scan + coalesce(s.idx_scan, 0), 0)::bigint AS scans
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'i', 'I')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
  AND n.nspname NOT LIKE 'pg_temp%'
