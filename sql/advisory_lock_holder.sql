-- Who holds Prisma's migration advisory lock (pg_advisory_lock(72707369)) on this database:
-- another console or a `prisma migrate deploy`. A single bigint key shows as classid = high
-- 32 bits, objid = low 32 bits, objsubid = 1.
SELECT l.pid,
       coalesce(a.application_name, '') AS application,
       a.client_addr::text AS client_addr,
       coalesce(a.usename, '') AS "user",
       a.backend_start AS since,
       coalesce(left(a.query, 200), '') AS query
FROM pg_locks l
JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory'
  AND l.granted
  AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
LIMIT 1
