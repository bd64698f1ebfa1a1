-- For the backend running a migration statement ($1): the pids that block it, and the sessions
-- queued behind it with how long they have waited, and its index build's progress if it builds one. Only sessions waiting on a heavyweight lock
-- are examined, so pg_blocking_pids() runs for a handful of rows, not for every connection.
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
       (SELECT row_to_json(p) FROM pg_stat_progress_create_index p WHERE p.pid = $1) AS index_build
