-- How many targets of the fleet run on this server under a live lease: $1 fleet, $2 server.
SELECT count(*)::int AS n FROM citadel_fleet_target
WHERE fleet = $1 AND server = $2 AND state = 'running' AND lease_until > now()
