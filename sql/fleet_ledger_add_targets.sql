-- Records the fleet's targets unless they are there: $1 fleet, then arrays of name, target, server, wave, position.
INSERT INTO citadel_fleet_target (fleet, name, target, server, wave, position)
SELECT $1, t.name, t.target, t.server, t.wave, t.position
FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::int[]) AS t(name, target, server, wave, position)
ON CONFLICT (fleet, name) DO NOTHING
