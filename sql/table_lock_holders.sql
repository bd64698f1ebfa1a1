-- Sessions that could block the next migration before it even starts: idle in a transaction, or in
-- a transaction open for 10 s or more, while holding a lock on a table (or index) of this database.
-- The console keeps the ones whose tables the next (or running) migration locks, with a conflicting
-- mode. Between lock_timeout retries of a run this is also what still shows its blocker.
-- Cheap first, exact second (the monitor runs this every second): the per-backend accessors over
-- pg_stat_get_backend_idset() (see lock_waits.sql) keep the sessions of this database in a
-- transaction that is 10 s old, or that waits for its client or for nothing (an idle-in-transaction
-- session waits for its client; an active one mostly waits on I/O, locks or timers), and only for
-- those the full row, pg_stat_get_activity(pid), decides by the state. pg_locks, a copy of the
-- whole lock table, is read only when there is a candidate: EXISTS (SELECT 1 FROM candidates) does
-- not depend on its rows and is planned as a one-time filter.
-- Only shared-memory views and syscache lookups: it never queues behind the lock it reports.
WITH this_database AS (
  SELECT oid FROM pg_database WHERE datname = current_database()
),
candidates AS (
  SELECT a.pid, a.usesysid, a.application_name, a.client_addr, a.state, a.query, a.xact_start, a.state_change
  FROM pg_stat_get_backend_idset() b
  CROSS JOIN LATERAL pg_stat_get_activity(pg_stat_get_backend_pid(b)) a
  WHERE pg_stat_get_backend_dbid(b) = (SELECT oid FROM this_database)
    AND pg_stat_get_backend_pid(b) <> pg_backend_pid()
    AND pg_stat_get_backend_xact_start(b) IS NOT NULL
    AND (pg_stat_get_backend_xact_start(b) < now() - interval '10 seconds'
         OR coalesce(pg_stat_get_backend_wait_event_type(b), 'Client') = 'Client')
    AND a.xact_start IS NOT NULL
    AND (a.state LIKE 'idle in transaction%' OR a.xact_start < now() - interval '10 seconds')
)
SELECT c.pid,
       coalesce(pg_get_userbyid(c.usesysid)::text, '') AS "user",
       coalesce(c.application_name, '') AS application,
       host(c.client_addr) AS client_addr,
       coalesce(c.state, '') AS state,
       coalesce(c.query, '') AS query,
       floor(extract(epoch FROM now() - c.xact_start) * 1000) AS xact_age_ms,
       floor(extract(epoch FROM now() - c.state_change) * 1000) AS state_age_ms,
       array_agg(l.relation::regclass::text ORDER BY l.relation) AS relations,
       array_agg(l.mode ORDER BY l.relation) AS modes
FROM candidates c
JOIN pg_locks l ON l.pid = c.pid
WHERE EXISTS (SELECT 1 FROM candidates)
  AND l.locktype = 'relation' AND l.granted
  AND l.database = (SELECT oid FROM this_database)
  AND l.relation >= 16384
GROUP BY c.pid, c.usesysid, c.application_name, c.client_addr, c.state, c.query, c.xact_start, c.state_change
ORDER BY c.xact_start
