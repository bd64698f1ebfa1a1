-- Which server and database this session reached, as the server itself sees it: the address and
-- port it accepted the connection on (NULL over a Unix socket), and whether this role may read the
-- cluster's system identifier (pg_control_system() can be revoked from PUBLIC, as on some hosted
-- services; calling it then fails the whole query, so it is asked for separately).
SELECT current_database() AS database,
       host(inet_server_addr()) AS address,
       inet_server_port() AS port,
       has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE') AS can_read_system_identifier
