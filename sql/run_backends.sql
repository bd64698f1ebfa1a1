-- Sessions of citadel-migrate runs on this database, with the pid of the process that opened each
-- (its application_name ends in "pid N)"): after a kill -9 of a run, the server may still be
-- executing what that process sent, and `status` must say so instead of "nothing remains".
SELECT pid,
       coalesce(state, '') AS state,
       coalesce(left(regexp_replace(query, '\s+', ' ', 'g'), 200), '') AS query,
       floor(extract(epoch FROM now() - coalesce(query_start, backend_start)) * 1000)::bigint AS for_ms,
       application_name AS application,
       substring(application_name FROM 'pid ([0-9]+)\)')::int AS run_pid
FROM pg_stat_activity
WHERE datname = current_database()
  AND application_name LIKE 'citadel-migrate %'
  AND pid <> pg_backend_pid()
