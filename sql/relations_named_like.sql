-- Relations whose name matches $1 ignoring case, plural "s" or underscores: the candidates for
-- a "relation does not exist" caused by a quoted identifier in the wrong case ("User" vs users).
SELECT c.relname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND c.relname <> $1
  AND (lower(c.relname) = lower($1)
       OR lower(c.relname) = lower($1) || 's'
       OR lower(c.relname) || 's' = lower($1)
       OR replace(lower(c.relname), '_', '') = replace(lower($1), '_', ''))
ORDER BY c.relname
LIMIT 3
