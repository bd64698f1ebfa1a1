-- Client sessions of this database whose application_name matches one of the LIKE patterns ($1) a
-- runbook action's check names (e.g. citadelbuy-worker%): "worker sessions: 0 (were 4)".
SELECT count(*)::int AS sessions
FROM pg_stat_activity
WHERE datname = current_database()
  AND backend_type = 'client backend'
  AND pid <> pg_backend_pid()
  AND coalesce(application_name, '') LIKE ANY ($1::text[])
