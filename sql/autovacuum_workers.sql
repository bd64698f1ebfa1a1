-- The tables of this database an autovacuum worker is vacuuming or analyzing now (a migration that
-- touches one waits for it, or cancels it, and the vacuum starts again after).
SELECT a.pid, n.nspname AS schema, c.relname AS table, p.phase, 'vacuum' AS work
FROM pg_stat_progress_vacuum p
JOIN pg_stat_activity a ON a.pid = p.pid AND a.backend_type = 'autovacuum worker'
JOIN pg_class c ON c.oid = p.relid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE p.datname = current_database()
UNION ALL
SELECT a.pid, n.nspname, c.relname, p.phase, 'analyze'
FROM pg_stat_progress_analyze p
JOIN pg_stat_activity a ON a.pid = p.pid AND a.backend_type = 'autovacuum worker'
JOIN pg_class c ON c.oid = p.relid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE p.datname = current_database()
