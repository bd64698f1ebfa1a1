-- The guide's "check table counts" and "verify all foreign keys", per schema outside the system ones.
SELECT n.nspname AS schema,
       count(*) FILTER (WHERE c.relkind IN ('r', 'p'))::int AS tables,
       (SELECT count(*)::int FROM pg_constraint f JOIN pg_class fc ON fc.oid = f.conrelid
        WHERE f.contype = 'f' AND fc.relnamespace = n.oid) AS foreign_keys
FROM pg_namespace n
LEFT JOIN pg_class c ON c.relnamespace = n.oid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp%'
GROUP BY n.oid, n.nspname
HAVING count(*) FILTER (WHERE c.relkind IN ('r', 'p')) > 0
ORDER BY 1
