-- A failed backfill's row: its progress line ($2) stays first in logs, above the failure, so that
-- the next run resumes after the last committed batch.
UPDATE "_prisma_migrations" SET logs = $2 || E'\n\n' || coalesce(logs, '') WHERE id = $1
