-- The columns of an existing foreign key (named $1 on the table named $2) and of the key it
-- references, in order, for the query that lists the rows violating it.
SELECT cl.relname AS child, pl.relname AS parent,
       array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS child_columns,
       array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS parent_columns
FROM pg_constraint c
JOIN pg_class cl ON cl.oid = c.conrelid
JOIN pg_class pl ON pl.oid = c.confrelid
WHERE c.contype = 'f' AND c.conname = $1 AND cl.relname = $2
LIMIT 1
