-- The guide's "Verify index usage", for the indexes a run created ($1, names resolved on the
-- search_path): scans since the statistics were reset, validity (a failed concurrent build leaves an
-- invalid index) and size. A name that no longer exists is reported as missing.
SELECT e.name AS index,
       t.relname AS table,
       i.indexrelid IS NOT NULL AS present,
       coalesce(i.indisvalid, false) AS valid,
       coalesce(s.idx_scan, 0)::bigint AS scans,
       coalesce(s.idx_tup_read, 0)::bigint AS tuples_read,
       coalesce(pg_relation_size(i.indexrelid), 0)::bigint AS bytes
FROM unnest($1::text[]) WITH ORDINALITY AS e(name, ord)
LEFT JOIN pg_index i ON i.indexrelid = to_regclass(quote_ident(e.name))
LEFT JOIN pg_class t ON t.oid = i.indrelid
LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
ORDER BY e.ord
