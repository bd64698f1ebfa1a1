-- What the expand-and-contract form of a column type change depends on ($1 the table as the
-- migration names it, $2 the column): the column's type, NOT NULL and default, what it has that a
-- new column would not (identity, generation, privileges, a comment), every object that depends on
-- it (indexes, constraints, views and rules, policies, triggers, owned sequences, other columns'
-- expressions, described as PostgreSQL describes them; not the copy trigger its own safe form made), whether the table is partitioned or
-- inherited or published for logical replication, and whether its primary key is one integer column. Catalog only: no lock on the table.
SELECT format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       a.attidentity <> '' AS identity,
       a.attgenerated <> '' AS generated,
       a.attacl IS NOT NULL AS privileges,
       col_description(a.attrelid, a.attnum) IS NOT NULL AS comment,
       (c.relkind = 'p' OR c.relispartition
        OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid)) AS inherited,
       (SELECT coalesce(array_agg(DISTINCT pg_describe_object(dep.classid, dep.objid, 0)), '{}')
        FROM pg_depend dep
        WHERE dep.refclassid = 'pg_class'::regclass AND dep.refobjid = c.oid AND dep.refobjsubid = a.attnum
          AND dep.deptype IN ('n', 'a', 'i')
          AND NOT (dep.classid = 'pg_attrdef'::regclass AND dep.objid IS NOT DISTINCT FROM d.oid)
          -- the copy trigger of this column's own interrupted safe form: its WHEN names the column
          AND NOT (dep.classid = 'pg_trigger'::regclass AND (SELECT t.tgname FROM pg_trigger t WHERE t.oid = dep.objid)
                   = 'zz_' || left(c.relname, 22) || '_' || left($2, 22) || '__citadel_sync')) AS dependents,
       EXISTS (SELECT 1 FROM pg_publication_tables p
               WHERE p.schemaname = (SELECT nspname FROM pg_namespace WHERE oid = c.relnamespace)
                 AND p.tablename = c.relname) AS published,
       (SELECT count(*) = 1 AND bool_and(format_type(k.atttypid, k.atttypmod) IN ('smallint', 'integer', 'bigint'))
        FROM pg_index i JOIN pg_attribute k ON k.attrelid = i.indrelid AND k.attnum = ANY (i.indkey)
        WHERE i.indrelid = c.oid AND i.indisprimary) AS integer_key
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.oid = to_regclass($1)
