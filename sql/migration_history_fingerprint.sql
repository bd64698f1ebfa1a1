-- A cheap fingerprint of _prisma_migrations (rows, latest start, finish and roll-back), read in the
-- monitor's round trip every refresh: when another process (a CLI run, prisma migrate deploy)
-- changes the history, the console reads the migration states again within one refresh.
-- The table may not exist yet: query_to_xml runs the inner query only when it does.
SELECT CASE WHEN to_regclass('_prisma_migrations') IS NOT NULL
            THEN query_to_xml('SELECT count(*) AS n, max(started_at) AS s, max(finished_at) AS f, max(rolled_back_at) AS r, sum(applied_steps_count) AS k FROM _prisma_migrations', false, true, '')::text
       END AS fingerprint
