-- Which server and database this session reached, as the server itself sees it: the address and
-- port it accepted the connection on (NULL over a Unix socket), whether this role may read the
-- cluster's system identifier (pg_control_system() can be revoked from PUBLIC, as on some hosted
-- services; calling it then fails the whole query, so it is asked for separately), and whether the
-- server is a standby in recovery (it shares its primary's system identifier, and refuses writes).
SELECT current_database() AS database,
       host(inet_server_addr()) AS address,
       inet_server_port() AS port,
       has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE') AS can_read_system_identifier,
       pg_is_in_recovery() AS in_recovery
