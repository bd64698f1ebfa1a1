-- The locks a backend ($1) holds or awaits now on the application's tables (catalogs left out):
-- how a safe form's step is traced, the modes it really took against those it claims.
SELECT c.relname AS relation, l.mode, l.granted
FROM pg_locks l
JOIN pg_class c ON c.oid = l.relation
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.pid = $1 AND l.locktype = 'relation' AND c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
