-- What an interrupted expand-and-contract (a column type change's safe form) leaves: a column
-- named <column>__citadel_new, and the trigger named <table>_<column>__citadel_sync that keeps it
-- filled on every write until the swap. One row per such column, with its trigger if it is there.
SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS table,
       a.attname AS column,
       (SELECT t.tgname FROM pg_trigger t
        WHERE t.tgrelid = c.oid AND t.tgname LIKE '%\_\_citadel\_sync' ORDER BY 1 LIMIT 1) AS trigger
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE a.attname LIKE '%\_\_citadel\_new' AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
ORDER BY 1, 2
