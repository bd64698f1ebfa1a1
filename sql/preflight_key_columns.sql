-- The primary key columns of a table (named $1, in schema $2 or, when $2 is null, the first schema
-- of the search path that has it), in key order: how preflight names the rows it shows.
SELECT a.attname AS name
FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
WHERE i.indisprimary
  AND i.indrelid = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relname = $1 AND ($2::text IS NULL AND n.nspname = ANY (current_schemas(false)) OR n.nspname = $2)
                    ORDER BY array_position(current_schemas(false), n.nspname::text) NULLS LAST LIMIT 1)
ORDER BY array_position(i.indkey::int2[], a.attnum)
