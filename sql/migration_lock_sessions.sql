-- The sessions holding or waiting for Prisma's migration advisory lock (pg_advisory_lock(72707369)):
-- a migration run in progress (ours from another console, or a `prisma migrate deploy`) and whoever
-- queues behind it. The key is a single bigint: classid = high 32 bits, objid = low, objsubid = 1.
-- The key is written here, not passed, so that this query can share one round trip with the others.
-- pg_stat_get_activity(pid) reads only the sessions found, not every backend as the view would.
SELECT l.pid,
       l.granted,
       coalesce(a.application_name, '') AS application,
       coalesce(pg_get_userbyid(a.usesysid)::text, '') AS "user",
       host(a.client_addr) AS client_addr,
       coalesce(a.state, '') AS state,
       coalesce(a.query, '') AS query,
       a.backend_start AS since
FROM pg_locks l
CROSS JOIN LATERAL pg_stat_get_activity(l.pid) a
WHERE l.locktype = 'advisory'
  AND l.classid = 0 AND l.objid = 72707369 AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY l.granted DESC, a.backend_start
