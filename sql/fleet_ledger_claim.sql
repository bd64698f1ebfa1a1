-- Claims a target for a runner with a lease: $1 fleet, $2 name, $3 runner, $4 lease in milliseconds.
UPDATE citadel_fleet_target
SET state = 'running', runner = $3, lease_until = now() + $4 * interval '1 millisecond',
    attempts = attempts + 1, started_at = now(), error = NULL
WHERE fleet = $1 AND name = $2
RETURNING name, target, server, wave, position, state, runner, migration, last_applied, applied,
  started_at, duration_ms, error, attempts
