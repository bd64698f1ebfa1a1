-- The history rows of the migrations a lost connection was applying ($1: their names), not rolled
-- back, and whether each is finished: what the server committed is what a new session finds here.
SELECT id, migration_name, finished_at IS NOT NULL AS finished
FROM "_prisma_migrations"
WHERE migration_name = ANY($1::text[]) AND rolled_back_at IS NULL
