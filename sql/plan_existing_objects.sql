-- What a pending migration could create again and fail on with "already exists": relations (with
-- the table an index belongs to), columns, constraints, types, enum values, schemas and extensions;
-- and the schema a bare name is created in (current_schema()). System schemas are left out.
WITH user_ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'
)
SELECT 'relation' AS kind, n.nspname AS schema, it.relname AS parent, c.relname AS name, c.relkind::text AS detail
FROM pg_class c
JOIN user_ns n ON n.oid = c.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = c.oid
LEFT JOIN pg_class it ON it.oid = i.indrelid
WHERE c.relkind IN ('r', 'p', 'i', 'I', 'S', 'v', 'm', 'f', 'c')
UNION ALL
SELECT 'column', n.nspname, c.relname, a.attname, NULL
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN user_ns n ON n.oid = c.relnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
UNION ALL
SELECT 'constraint', n.nspname, c.relname, con.conname, con.contype::text
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN user_ns n ON n.oid = c.relnamespace
UNION ALL
SELECT 'type', n.nspname, NULL, t.typname, t.typtype::text
FROM pg_type t
JOIN user_ns n ON n.oid = t.typnamespace
LEFT JOIN pg_class c ON c.oid = t.typrelid
WHERE (t.typelem = 0 OR t.typcategory <> 'A') AND (t.typrelid = 0 OR c.relkind = 'c')
UNION ALL
SELECT 'enum-value', n.nspname, t.typname, e.enumlabel, NULL
FROM pg_enum e
JOIN pg_type t ON t.oid = e.enumtypid
JOIN user_ns n ON n.oid = t.typnamespace
UNION ALL
SELECT 'schema', NULL, NULL, nspname, NULL FROM user_ns
UNION ALL
SELECT 'extension', NULL, NULL, extname, NULL FROM pg_extension
UNION ALL
SELECT 'current-schema', NULL, NULL, current_schema(), NULL
