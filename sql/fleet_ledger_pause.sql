-- Pauses or resumes the fleet: $1 fleet, $2 paused.
UPDATE citadel_fleet SET paused = $2 WHERE fleet = $1
