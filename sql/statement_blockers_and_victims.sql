-- For the backend running a migration statement ($1): the pids that block it, and the sessions
-- queued behind it with how long they have waited, and its index build's progress if it builds one. Only sessions waiting on a heavyweight lock
-- are examined, so pg_blocking_pids() runs for a handful of rows, not for every connection.
-- A table rewrite (ALTER ... TYPE, ADD COLUMN ... DEFAULT clock_timestamp()) has no progress view:
-- its measure is the WAL the server has written since the statement began (wal_bytes, compared by
-- the caller) against the size of the table it holds ACCESS EXCLUSIVE, with its indexes, as
-- pg_class.relpages says (read from the catalog: sizing the locked file would wait for the lock).
SELECT pg_blocking_pids($1) AS blocking,
       coalesce((
         SELECT json_agg(json_build_object(
                  'pid', a.pid,
                  'application', a.application_name,
                  'waitedMs', floor(extract(epoch FROM now() - coalesce(l.waitstart, a.query_start)) * 1000)))
         FROM pg_stat_activity a
         JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
         WHERE a.wait_event_type = 'Lock'
           AND a.pid <> $1
           AND $1 = ANY (pg_blocking_pids(a.pid))
       ), '[]'::json) AS victims,
       (SELECT row_to_json(p) FROM pg_stat_progress_create_index p WHERE p.pid = $1) AS index_build,
       (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::float8 AS wal_bytes,
       (SELECT json_build_object('relation', c.oid::regclass::text,
                                 'bytes', (c.relpages::bigint + coalesce((SELECT sum(ic.relpages) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid), 0)) * current_setting('block_size')::bigint)
        FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
        WHERE l.pid = $1 AND l.locktype = 'relation' AND l.granted AND l.mode = 'AccessExclusiveLock' AND c.relkind IN ('r', 'm')
        ORDER BY c.relpages DESC LIMIT 1) AS rewrite
