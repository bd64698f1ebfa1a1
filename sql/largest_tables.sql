-- The guide's "Check table sizes": the 20 largest tables of the user schemas, with indexes and TOAST.
SELECT n.nspname AS schema,
       c.relname AS table,
       pg_total_relation_size(c.oid)::bigint AS total_bytes,
       greatest(c.reltuples, 0)::bigint AS rows_estimate
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY pg_total_relation_size(c.oid) DESC, c.relname
LIMIT 20
