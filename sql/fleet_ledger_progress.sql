-- The migration a runner is applying on a target now: $1 fleet, $2 name, $3 runner, $4 migration.
UPDATE citadel_fleet_target SET migration = $4 WHERE fleet = $1 AND name = $2 AND runner = $3
