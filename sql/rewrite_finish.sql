-- A safe form's last step is done: its history row ($1) becomes what Prisma writes for a migration
-- applied as written (finished, one step applied), and the progress in its logs is cleared.
UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1, logs = NULL WHERE id = $1
