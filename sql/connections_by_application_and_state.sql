-- Client sessions of this database by application and state (active, idle, idle in transaction,
-- ...), for the console's gauges. Background workers and replication are not client backends;
-- the monitor's own session is left out so that it does not count itself.
-- pg_stat_get_activity(NULL) is the view's source without its joins (names are not needed here).
SELECT coalesce(application_name, '') AS application,
       coalesce(state, 'unknown') AS state,
       count(*)::int AS sessions,
       floor(max(extract(epoch FROM now() - state_change)) * 1000) AS longest_in_state_ms
FROM pg_stat_get_activity(NULL)
WHERE datid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND backend_type = 'client backend'
  AND pid <> pg_backend_pid()
GROUP BY 1, 2
ORDER BY 3 DESC, 1, 2
