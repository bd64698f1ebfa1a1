-- The guide's "Check for slow queries": the ten statements of this database with the highest mean
-- execution time (pg_stat_statements, PostgreSQL 13 and later).
SELECT s.queryid::text AS queryid,
       s.calls::bigint AS calls,
       round(s.total_exec_time::numeric, 1)::float8 AS total_ms,
       round(s.mean_exec_time::numeric, 1)::float8 AS mean_ms,
       left(regexp_replace(s.query, '\s+', ' ', 'g'), 300) AS query
FROM pg_stat_statements s
JOIN pg_database d ON d.oid = s.dbid
WHERE d.datname = current_database()
ORDER BY s.mean_exec_time DESC
LIMIT 10
