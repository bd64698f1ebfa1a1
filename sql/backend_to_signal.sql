-- The session a DBA asked to cancel or terminate ($1), with what is needed to show it before acting
-- and to refuse what must not be signalled: another database's sessions, background processes
-- (autovacuum, walsender, ...), and this very session.
SELECT a.pid,
       coalesce(a.datname, '') AS database,
       a.datname = current_database() AS same_database,
       a.pid = pg_backend_pid() AS is_self,
       a.backend_type,
       coalesce(a.usename, '') AS "user",
       coalesce(a.application_name, '') AS application,
       host(a.client_addr) AS client_addr,
       coalesce(a.state, '') AS state,
       coalesce(a.query, '') AS query,
       a.query_start,
       a.wait_event_type,
       floor(extract(epoch FROM now() - a.xact_start) * 1000) AS xact_age_ms,
       floor(extract(epoch FROM now() - a.state_change) * 1000) AS state_age_ms
FROM pg_stat_activity a
WHERE a.pid = $1
