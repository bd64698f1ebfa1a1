-- Whether an index of this name ($1, quoted and qualified as the migration names it) exists, and
-- whether it is valid: an INVALID one is what an interrupted CREATE INDEX CONCURRENTLY leaves.
SELECT i.indisvalid AS valid,
       EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = i.indexrelid) AS building
FROM pg_index i
WHERE i.indexrelid = to_regclass($1)
