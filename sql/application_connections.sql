-- Sessions of applications still connected to this database, grouped by application name. Our own
-- sessions (application_name citadel-migrate...) and this one are not applications; background
-- workers and replication are not client backends. An empty name is kept: it is still a client.
SELECT coalesce(application_name, '') AS application,
       count(*)::int AS connections,
       count(*) FILTER (WHERE state = 'active')::int AS active,
       min(backend_start) AS oldest
FROM pg_stat_activity
WHERE datname = current_database()
  AND backend_type = 'client backend'
  AND pid <> pg_backend_pid()
  AND coalesce(application_name, '') NOT LIKE 'citadel-migrate%'
GROUP BY 1
ORDER BY 2 DESC, 1
