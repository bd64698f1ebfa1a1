-- Gives a target back (its run never began): $1 fleet, $2 name, $3 runner.
UPDATE citadel_fleet_target SET state = 'pending', runner = NULL, lease_until = NULL, migration = NULL
WHERE fleet = $1 AND name = $2 AND runner = $3
