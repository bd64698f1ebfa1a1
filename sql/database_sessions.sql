-- Sessions other than this one connected to the database named $1 (a restore drops and recreates
-- it, which PostgreSQL refuses while anyone is connected), with their application names and kinds.
-- Not autovacuum workers: DROP DATABASE stops those itself, and one that happens to be vacuuming
-- the database is no reason to refuse the restore.
SELECT pid, coalesce(application_name, '') AS application, usename AS user, state, backend_type
FROM pg_stat_activity
WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type <> 'autovacuum worker'
ORDER BY pid
