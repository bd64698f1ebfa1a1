-- The data file of every table and materialized view in the scratch copy: a relfilenode that changes
-- across a migration means the table was rewritten (ALTER COLUMN TYPE, a volatile default, VACUUM
-- FULL, CLUSTER, SET LOGGED...), which on the real target costs time and disk in proportion to it.
SELECT c.oid::bigint AS oid,
       CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name,
       c.relfilenode::bigint AS relfilenode
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
