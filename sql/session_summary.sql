-- What a blocking session is doing, for a hint that names it: application, state, transaction age.
SELECT pid, coalesce(application_name, '') AS application, coalesce(state, '') AS state,
       floor(extract(epoch FROM now() - xact_start))::int AS xact_seconds
FROM pg_stat_activity
WHERE pid = ANY ($1::int[])
