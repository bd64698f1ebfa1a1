-- A new run of an idle fleet (no live lease) tries again what failed or was refused, and is no longer stopped
-- nor waiting: $1 fleet.
WITH idle AS (
  SELECT NOT EXISTS (
    SELECT 1 FROM citadel_fleet_target WHERE fleet = $1 AND state = 'running' AND lease_until > now()
  ) AS yes
), targets AS (
  UPDATE citadel_fleet_target SET state = 'pending', runner = NULL
  WHERE fleet = $1 AND state IN ('failed', 'refused') AND (SELECT yes FROM idle)
)
UPDATE citadel_fleet SET stopped = NULL, waiting = NULL, waiting_wave = NULL, waiting_since = NULL WHERE fleet = $1 AND (SELECT yes FROM idle)
