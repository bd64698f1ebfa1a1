-- The ten largest tables and materialized views of this database (with their indexes and TOAST).
-- pg_total_relation_size() opens the table and each of its indexes with ACCESS SHARE, which would
-- queue behind a migration's ACCESS EXCLUSIVE request and hold up everyone behind us: tables whose
-- table, TOAST table or any index has an ACCESS EXCLUSIVE lock granted or requested are skipped
-- (and our lock_timeout covers a lock taken between this check and the size call).
-- Other sessions' temporary tables are private to them and left out.
WITH exclusive AS (
  SELECT relation
  FROM pg_locks
  WHERE mode = 'AccessExclusiveLock'
    AND locktype = 'relation'
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
)
SELECT c.oid::regclass::text AS name,
       c.relkind::text AS kind,
       pg_total_relation_size(c.oid) AS bytes,
       c.reltuples::bigint AS estimated_rows
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND c.oid NOT IN (SELECT relation FROM exclusive)
  AND (c.reltoastrelid = 0 OR c.reltoastrelid NOT IN (SELECT relation FROM exclusive))
  AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indexrelid IN (SELECT relation FROM exclusive))
ORDER BY bytes DESC NULLS LAST
LIMIT 10
