-- Exact row count of every user table (count(*), not the planner's estimate), in one round trip:
-- query_to_xml runs one count per table with the identifiers quoted by format('%I').
-- Used to compare a backup's restore with its source, so estimates would not do.
SELECT n.nspname AS schema,
       c.relname AS table,
       (xpath('/row/n/text()',
              query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint AS rows
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp%'
ORDER BY 1, 2
