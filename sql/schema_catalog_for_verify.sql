-- The tables (with columns), indexes, foreign keys and enums of the given schemas, as one JSON
-- document: what verify compares with schema.prisma. $1: the schemas (text[]).
WITH rels AS (
  SELECT c.oid, n.nspname AS schema, c.relname AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[])
)
SELECT json_build_object(
  'tables', (SELECT coalesce(json_agg(json_build_object(
      'schema', r.schema, 'name', r.name,
      'columns', (SELECT coalesce(json_agg(json_build_object(
          'name', a.attname,
          'type', format_type(a.atttypid, a.atttypmod),
          'notNull', a.attnotnull,
          'default', pg_get_expr(d.adbin, d.adrelid),
          'identity', a.attidentity <> '',
          'generated', a.attgenerated <> '',
          'enumSchema', CASE WHEN et.typtype = 'e' THEN en.nspname END,
          'enumName', CASE WHEN et.typtype = 'e' THEN et.typname END
        ) ORDER BY a.attnum), '[]'::json)
        FROM pg_attribute a
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_type et ON et.oid = CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END
        LEFT JOIN pg_namespace en ON en.oid = et.typnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped)
    ) ORDER BY r.schema, r.name), '[]'::json) FROM rels r),
  'indexes', (SELECT coalesce(json_agg(json_build_object(
      'schema', r.schema, 'table', r.name, 'name', ic.relname,
      'unique', i.indisunique, 'primary', i.indisprimary, 'valid', i.indisvalid,
      'method', am.amname, 'partial', i.indpred IS NOT NULL,
      'columns', (SELECT json_agg(CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int, true) ELSE a.attname END ORDER BY k.ord)
                  FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                  LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                  WHERE k.ord <= i.indnkeyatts),
      'desc', (SELECT json_agg((i.indoption[k.ord - 1] & 1) = 1 ORDER BY k.ord)
               FROM generate_series(1, i.indnkeyatts) AS k(ord))
    ) ORDER BY r.schema, r.name, ic.relname), '[]'::json)
    FROM rels r JOIN pg_index i ON i.indrelid = r.oid
    JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam),
  'foreignKeys', (SELECT coalesce(json_agg(json_build_object(
      'schema', r.schema, 'table', r.name, 'name', c.conname,
      'columns', (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
      'refSchema', fn.nspname, 'refTable', f.relname,
      'refColumns', (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum),
      'onDelete', c.confdeltype, 'onUpdate', c.confupdtype
    ) ORDER BY r.schema, r.name, c.conname), '[]'::json)
    FROM rels r JOIN pg_constraint c ON c.conrelid = r.oid AND c.contype = 'f'
    JOIN pg_class f ON f.oid = c.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace),
  'enums', (SELECT coalesce(json_agg(json_build_object(
      'schema', n.nspname, 'name', t.typname,
      'values', (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
    ) ORDER BY n.nspname, t.typname), '[]'::json)
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype = 'e' AND n.nspname = ANY($1::text[]))
) AS catalog;
