-- Bytes on disk of this database. It walks the database's directory (seconds on a large
-- database, no locks), so the monitor runs it rarely, on its own connection, and caches it.
SELECT pg_database_size(current_database()) AS bytes
