-- The session holding Prisma's migration advisory lock (pg_advisory_lock(72707369)) and what it
-- does now: a run in another terminal, a `prisma migrate deploy`, or the backend of a run whose
-- process died. `status` tells a running migration from a failed one by it (an unfinished row
-- started after this session connected belongs to it). The key is a single bigint: classid = high
-- 32 bits, objid = low 32 bits, objsubid = 1.
SELECT l.pid,
       coalesce(a.application_name, '') AS application,
       coalesce(a.usename, '') AS "user",
       a.backend_start AS since,
       a.query_start,
       coalesce(a.state, '') AS state,
       coalesce(a.wait_event_type, '') AS wait_event_type,
       coalesce(a.query, '') AS query
FROM pg_locks l
JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory'
  AND l.granted
  AND l.classid = 0 AND l.objid = 72707369 AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
LIMIT 1
