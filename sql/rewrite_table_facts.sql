-- What the safe form of a statement depends on, for one table named as the migration names it
-- ($1, quoted): whether it exists, its size, its single-column primary key and its columns' types.
-- Catalog only: no lock on the table, so it never queues behind the application or a migration.
SELECT c.oid IS NOT NULL AS present,
       CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END AS estimated_rows,
       c.relpages::bigint * current_setting('block_size')::bigint AS bytes,
       (SELECT CASE WHEN array_length(k.conkey, 1) = 1 THEN a.attname END
        FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        WHERE k.conrelid = c.oid AND k.contype = 'p') AS primary_key,
       (SELECT coalesce(json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                                   'notNull', a.attnotnull)), '[]')
        FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
FROM (SELECT to_regclass($1) AS oid) r
LEFT JOIN pg_class c ON c.oid = r.oid
