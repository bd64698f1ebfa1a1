-- Every row of Prisma's bookkeeping, oldest first (what `status` compares with the folder).
SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
FROM "_prisma_migrations"
ORDER BY started_at, migration_name
