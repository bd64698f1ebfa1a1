-- Is Prisma's bookkeeping table present in the schema the session writes to?
SELECT to_regclass(quote_ident(current_schema()) || '._prisma_migrations') IS NOT NULL AS present
