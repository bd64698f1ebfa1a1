-- The logs of one history row ($1: its id): where a stopped safe form's last committed batch got.
SELECT logs FROM "_prisma_migrations" WHERE id = $1
