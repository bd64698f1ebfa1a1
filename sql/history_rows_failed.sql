-- Unfinished history rows ($1: their ids) marked failed with what the failure said ($2), as Prisma
-- marks a migration that stopped part-way: no finished_at, the error in logs.
UPDATE "_prisma_migrations" SET logs = $2 WHERE id = ANY($1::text[])
