-- Ends the backends of a command that lost its connection ($1: their pids, as pg_backend_pid()
-- reported them): a stalled path leaves them on the server, maybe idle in transaction with locks.
-- Only sessions of citadel-migrate are touched. Returns those still listed, signalled or not (a
-- backend takes a moment to go).
SELECT pid, pg_terminate_backend(pid) AS signalled
FROM pg_stat_activity
WHERE pid = ANY($1::int[]) AND pid <> pg_backend_pid() AND application_name LIKE 'citadel-migrate %'
