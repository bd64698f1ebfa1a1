-- A batch's progress, kept in the logs of the migration's own unfinished history row and committed
-- in the batch's transaction: a run killed with -9 resumes after the last committed batch.
UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1
