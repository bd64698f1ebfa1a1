-- The unfinished history row of a batched backfill that stopped part-way ($1: the migration's name,
-- $2: its checksum): its logs say how far the batches went.
SELECT id, logs
FROM "_prisma_migrations"
WHERE migration_name = $1 AND checksum = $2 AND finished_at IS NULL AND rolled_back_at IS NULL
  AND logs LIKE 'citadel backfill:%'
ORDER BY started_at DESC
LIMIT 1
