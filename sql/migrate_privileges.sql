-- Can this role migrate? CREATE in the schema new tables go to, write access to Prisma's history
-- table (or CREATE to make it), and ownership (direct or through a role) of the existing tables the
-- pending migrations alter, index, rename or drop ($1: their names, quoted as SQL writes them).
SELECT current_schema() AS schema,
       coalesce(has_schema_privilege(current_schema(), 'CREATE'), false) AS can_create,
       to_regclass('_prisma_migrations') IS NOT NULL AS history_exists,
       CASE WHEN to_regclass('_prisma_migrations') IS NULL THEN NULL
            ELSE has_table_privilege('_prisma_migrations', 'INSERT') AND has_table_privilege('_prisma_migrations', 'UPDATE')
                 AND has_table_privilege('_prisma_migrations', 'DELETE')
       END AS history_writable,
       ARRAY(SELECT c.oid::regclass::text || ' (owner ' || pg_get_userbyid(c.relowner) || ')'
             FROM unnest($1::text[]) AS t(name)
             JOIN pg_class c ON c.oid = to_regclass(t.name)
             WHERE NOT pg_has_role(c.relowner, 'USAGE')
             ORDER BY 1) AS not_owned
