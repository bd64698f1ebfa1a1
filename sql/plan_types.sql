-- Type names a migration can use without creating them: built-in ones and those of the target's
-- schemas (enums, domains, composites). Array types and table row types are left out: a migration
-- names the element type, and a table's row type goes with the table.
SELECT n.nspname AS schema,
       t.typname AS name,
       n.nspname = ANY (current_schemas(true)) AS visible
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_class c ON c.oid = t.typrelid
WHERE (t.typelem = 0 OR t.typcategory <> 'A')
  AND (t.typrelid = 0 OR c.relkind = 'c')
