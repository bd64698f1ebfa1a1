-- The current database's size in bytes: cheap on a scratch copy, where it measures what a
-- migration adds (indexes, rewritten tables).
SELECT pg_database_size(current_database())::bigint AS bytes
