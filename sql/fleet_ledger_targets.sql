-- Every target of the fleet, in order, with its state: $1 fleet.
SELECT name, target, server, wave, position, state, runner, migration, last_applied, applied,
  started_at, duration_ms, error, attempts, lease_until
FROM citadel_fleet_target WHERE fleet = $1 ORDER BY position
