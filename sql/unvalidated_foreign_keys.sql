-- The guide's "check for constraint violations": foreign keys added NOT VALID and never validated,
-- so existing rows were not checked against them.
SELECT conname AS constraint, conrelid::regclass::text AS table, pg_get_constraintdef(oid) AS definition
FROM pg_constraint
WHERE contype = 'f' AND NOT convalidated
ORDER BY 2, 1
