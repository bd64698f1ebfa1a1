-- Sessions that could block the next migration before it even starts: idle in a transaction, or in
-- a transaction open for 10 s or more, while holding a lock on a table (or index) of this database.
-- The console keeps the ones whose tables the next (or running) migration locks, with a conflicting
-- mode. Between lock_timeout retries of a run this is also what still shows its blocker.
-- One pass over the backends picks the few candidates; pg_locks is then read for them only.
-- Only shared-memory views and syscache lookups: it never queues behind the lock it reports.
WITH this_database AS (
  SELECT oid FROM pg_database WHERE datname = current_database()
),
candidates AS (
  SELECT a.pid, a.usesysid, a.application_name, a.client_addr, a.state, a.query, a.xact_start, a.state_change
  FROM pg_stat_get_activity(NULL) a
  WHERE a.datid = (SELECT oid FROM this_database)
    AND a.pid <> pg_backend_pid()
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
WHERE l.locktype = 'relation' AND l.granted
  AND l.database = (SELECT oid FROM this_database)
  AND l.relation >= 16384
GROUP BY c.pid, c.usesysid, c.application_name, c.client_addr, c.state, c.query, c.xact_start, c.state_change
ORDER BY c.xact_start
