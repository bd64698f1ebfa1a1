-- Bytes of WAL in pg_wal. pg_ls_waldir() needs superuser or pg_monitor; the monitor runs this only
-- when has_function_privilege() said it may (see monitor_server_facts.sql).
SELECT coalesce(sum(size), 0) AS bytes, count(*)::int AS files
FROM pg_ls_waldir()
