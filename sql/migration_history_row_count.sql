SELECT count(*)::int AS n FROM "_prisma_migrations"
