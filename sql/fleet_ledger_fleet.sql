-- The fleet's own record: whether it is stopped (and why), paused, or waiting at a wave's gate. $1 fleet.
SELECT fleet, created_at, stopped, paused, waiting, waiting_wave, waiting_since FROM citadel_fleet WHERE fleet = $1
