-- The scratch copy's state between two rehearsed migrations, in one round trip (a rehearsal takes
-- it after every migration): the data file of every table and materialized view (a changed
-- relfilenode means a rewrite), the database's size in bytes, and the indexes left invalid.
SELECT (SELECT coalesce(json_agg(json_build_object('name', f.name, 'relfilenode', f.relfilenode)), '[]'::json)
          FROM (SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name,
                       c.relfilenode::bigint AS relfilenode
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'm')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND n.nspname NOT LIKE 'pg_toast%') f) AS files,
       pg_database_size(current_database())::bigint AS bytes,
       (SELECT coalesce(json_agg(i.name ORDER BY i.name), '[]'::json)
          FROM (SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name
                FROM pg_index x
                JOIN pg_class c ON c.oid = x.indexrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE NOT x.indisvalid) i) AS invalid
