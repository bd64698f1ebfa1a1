-- Who and where the checklist is talking to: version, size, and the data directory when this role
-- may see it. pg_settings hides data_directory from roles without superuser or pg_read_all_settings,
-- so the column is NULL then instead of the query failing (and the disk check says "unknown").
SELECT version() AS version,
       current_setting('server_version_num')::int AS version_num,
       current_setting('server_version') AS server_version,
       pg_database_size(current_database()) AS database_bytes,
       (SELECT setting FROM pg_settings WHERE name = 'data_directory') AS data_directory,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS is_superuser
