-- Serialises the claims on one server of one fleet until the claiming transaction ends: $1 fleet, $2 server.
SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))
