-- A target's end, written by the runner that holds it: $1 fleet, $2 name, $3 runner, $4 state,
-- $5 duration ms, $6 migration, $7 last applied, $8 applied count, $9 error.
UPDATE citadel_fleet_target
SET state = $4, duration_ms = $5, migration = $6, last_applied = coalesce($7, last_applied), applied = $8,
    error = $9, runner = NULL, lease_until = NULL
WHERE fleet = $1 AND name = $2 AND runner = $3
