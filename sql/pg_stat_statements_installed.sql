-- Whether the pg_stat_statements extension is installed in this database (the slowest statements
-- need it, and its library in shared_preload_libraries).
SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS installed
