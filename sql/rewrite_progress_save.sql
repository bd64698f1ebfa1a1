-- How far a safe form got ($2: the steps done and the form's hash, and a backfill's last committed
-- batch), in the logs of the migration's own unfinished history row ($1): the next run --rewrite
-- resumes there, and status says so.
UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1
