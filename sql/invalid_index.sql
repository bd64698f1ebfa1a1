-- Is the named index present but INVALID (what a failed or cancelled CREATE INDEX CONCURRENTLY leaves)?
SELECT NOT i.indisvalid AS invalid
FROM pg_class c
JOIN pg_index i ON i.indexrelid = c.oid
WHERE c.relname = $1 AND c.relkind = 'i' AND pg_table_is_visible(c.oid)
