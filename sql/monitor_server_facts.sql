-- What the monitor needs to know once per connection: the server version (which progress views
-- exist), max_connections, and whether the server runs on this machine: its data directory (hidden
-- by pg_settings from roles without superuser or pg_read_all_settings: NULL then), its port and
-- start time, which the monitor compares with the postmaster.pid it finds in that directory.
SELECT current_setting('server_version_num')::int AS version_num,
       current_setting('server_version') AS version,
       current_setting('max_connections')::int AS max_connections,
       current_setting('port')::int AS port,
       (SELECT setting FROM pg_settings WHERE name = 'data_directory') AS data_directory,
       extract(epoch FROM pg_postmaster_start_time()) AS postmaster_start_epoch,
       has_function_privilege('pg_ls_waldir()', 'EXECUTE') AS may_list_wal,
       pg_backend_pid() AS pid
