-- Stops the fleet (no new target starts); the first reason stays: $1 fleet, $2 reason.
UPDATE citadel_fleet SET stopped = coalesce(stopped, $2) WHERE fleet = $1
