-- Each application table's data file (a changed relfilenode: the statement rewrote it) and its
-- sequential scans in the current transaction (one more: the statement scanned it): how
-- rehearse --rewrite traces a statement as written, inside the transaction it then rolls back.
SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name,
       c.relfilenode::bigint AS file,
       coalesce(s.seq_scan, 0)::bigint AS scans
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_xact_user_tables s ON s.relid = c.oid
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
