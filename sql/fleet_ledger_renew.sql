-- Extends the leases of the targets this runner runs: $1 fleet, $2 runner, $3 lease in milliseconds.
UPDATE citadel_fleet_target SET lease_until = now() + $3 * interval '1 millisecond'
WHERE fleet = $1 AND runner = $2 AND state = 'running'
