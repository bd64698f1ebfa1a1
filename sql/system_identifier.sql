-- The cluster's system identifier: set by initdb, the same through any pooler or address, kept by a
-- physical replica (so a primary and its standbys share it).
SELECT system_identifier::text AS system_identifier FROM pg_control_system()
