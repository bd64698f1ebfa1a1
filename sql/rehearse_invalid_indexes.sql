-- Indexes left invalid (a CREATE INDEX CONCURRENTLY that failed half way leaves one behind: it
-- slows every write and serves no read until it is dropped or rebuilt).
SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT i.indisvalid
ORDER BY 1
