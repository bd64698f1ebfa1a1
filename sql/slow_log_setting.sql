-- log_min_duration_statement now, and where it comes from (sourcefile is visible to superusers and
-- pg_read_all_settings only): what `verify --log-slow off` must put back.
SELECT setting, coalesce(unit, '') AS unit, source, sourcefile
FROM pg_settings
WHERE name = 'log_min_duration_statement'
