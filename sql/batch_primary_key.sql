-- The primary key of the table a batched backfill works on ($1: the table as the statement names
-- it): batches are ranges of it, so it must be one column of an integer type.
SELECT a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, count(*) OVER () AS columns
FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
WHERE i.indrelid = to_regclass($1) AND i.indisprimary
