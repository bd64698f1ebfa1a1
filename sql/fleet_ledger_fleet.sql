-- The fleet's own record: whether it is stopped (and why) or paused. $1 fleet.
SELECT fleet, created_at, stopped, paused FROM citadel_fleet WHERE fleet = $1
