-- The sessions that blocked a migration's statement, for a hint that names them: what they run,
-- how long their transaction has been open, and whether they are idle in it (then a cancel does
-- nothing, only terminating the session frees the lock).
SELECT pid,
       coalesce(application_name, '') AS application,
       coalesce(usename, '') AS "user",
       coalesce(state, '') AS state,
       floor(extract(epoch FROM now() - xact_start))::int AS xact_seconds,
       left(regexp_replace(coalesce(query, ''), '\s+', ' ', 'g'), 80) AS query
FROM pg_stat_activity
WHERE pid = ANY ($1::int[])
ORDER BY xact_start NULLS LAST
