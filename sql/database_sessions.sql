-- Sessions other than this one connected to the database named $1 (a restore drops and recreates
-- it, which PostgreSQL refuses while anyone is connected), with their application names.
SELECT pid, coalesce(application_name, '') AS application, usename AS user, state
FROM pg_stat_activity
WHERE datname = $1 AND pid <> pg_backend_pid()
ORDER BY pid
