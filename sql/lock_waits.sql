-- Every session of a lock wait chain in this database, each once: the sessions waiting for a
-- heavyweight lock (advisory locks included) and every session that blocks one of them, with the
-- lock it wants and the modes it holds on objects that others wait for.
-- The monitor runs this every second, so its cost on the server counts (bench/monitor.bench.ts):
-- - the waiters are found with the per-backend accessors over pg_stat_get_backend_idset(), which
--   read a field or two of each backend instead of building pg_stat_activity's thirty columns for
--   every one; the ids it returns are what the accessors take (a position in this transaction's
--   copy of the backend table up to PostgreSQL 15, the backend's own number from 16 on), so they
--   are only ever passed to them. The full row, pg_stat_get_activity(pid), is built for the
--   sessions of a chain only;
-- - pg_blocking_pids() briefly takes the lock manager's partition locks, so it runs only for the
--   sessions waiting on a lock, never for every backend;
-- - pg_locks copies the whole lock table whatever the WHERE: EXISTS (SELECT 1 FROM waiting) does
--   not depend on its rows, so it is planned as a one-time filter and, when nothing waits (the
--   usual case), pg_locks is not read at all.
-- Only shared-memory views and syscache lookups (regclass output takes no lock): this query never
-- queues behind the ACCESS EXCLUSIVE request of the migration it watches.
-- waitstart exists from PostgreSQL 14; to_jsonb() reads it without failing on older servers, only
-- for the locks waited for (a granted lock has none).
WITH this_database AS (
  SELECT oid FROM pg_database WHERE datname = current_database()
),
waiting AS (
  SELECT w.pid, pg_blocking_pids(w.pid) AS blocking_pids
  FROM (SELECT pg_stat_get_backend_pid(b) AS pid
          FROM pg_stat_get_backend_idset() b
         WHERE pg_stat_get_backend_wait_event_type(b) = 'Lock'
           AND pg_stat_get_backend_dbid(b) = (SELECT oid FROM this_database)) w
),
involved AS (
  SELECT pid FROM waiting
  UNION
  SELECT unnest(blocking_pids) FROM waiting
),
locks AS (
  SELECT l.*, CASE WHEN NOT l.granted THEN (to_jsonb(l) ->> 'waitstart')::timestamptz END AS wait_started
  FROM pg_locks l
  WHERE EXISTS (SELECT 1 FROM waiting)
    AND l.pid IN (SELECT pid FROM involved)
),
wanted AS (
  SELECT DISTINCT ON (pid) *
  FROM locks
  WHERE NOT granted
  ORDER BY pid, wait_started NULLS LAST
)
SELECT a.pid,
       coalesce(w.blocking_pids, '{}') AS blocking_pids,
       coalesce(pg_get_userbyid(a.usesysid)::text, '') AS "user",
       coalesce(a.application_name, '') AS application,
       host(a.client_addr) AS client_addr,
       coalesce((SELECT d.datname::text FROM pg_database d WHERE d.oid = a.datid), '') AS database,
       a.backend_type,
       coalesce(a.state, '') AS state,
       coalesce(a.query, '') AS query,
       floor(extract(epoch FROM now() - a.xact_start) * 1000) AS xact_age_ms,
       floor(extract(epoch FROM now() - a.state_change) * 1000) AS state_age_ms,
       x.locktype AS wanted_locktype,
       x.mode AS wanted_mode,
       CASE WHEN x.database = (SELECT oid FROM this_database) THEN x.relation::regclass::text END AS wanted_relation,
       -- a row lock wait is a wait on the holder's transaction id; the waiter's granted tuple
       -- lock names the table
       (SELECT t.relation::regclass::text FROM locks t
         WHERE t.pid = a.pid AND t.locktype = 'tuple' AND t.granted
           AND t.database = (SELECT oid FROM this_database) LIMIT 1) AS row_lock_relation,
       x.transactionid::text AS wanted_transactionid,
       x.virtualxid AS wanted_virtualxid,
       x.classid::bigint AS wanted_classid,
       x.objid::bigint AS wanted_objid,
       x.objsubid AS wanted_objsubid,
       CASE WHEN x.pid IS NOT NULL
            THEN floor(extract(epoch FROM now() - coalesce(x.wait_started, a.state_change)) * 1000) END AS waiting_ms,
       (SELECT string_agg(DISTINCT h.mode, ',')
          FROM locks h JOIN wanted o
            ON (h.locktype, h.database, h.relation, h.page, h.tuple, h.virtualxid, h.transactionid, h.classid, h.objid, h.objsubid)
               IS NOT DISTINCT FROM
               (o.locktype, o.database, o.relation, o.page, o.tuple, o.virtualxid, o.transactionid, o.classid, o.objid, o.objsubid)
         WHERE h.pid = a.pid AND h.granted AND o.pid <> a.pid) AS held_modes
FROM involved i
CROSS JOIN LATERAL pg_stat_get_activity(i.pid) a
LEFT JOIN waiting w ON w.pid = i.pid
LEFT JOIN wanted x ON x.pid = i.pid
ORDER BY a.pid
