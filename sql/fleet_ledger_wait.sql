-- Why the next wave waits (NULLs: it no longer does): $1 fleet, $2 reason, $3 wave, $4 since.
UPDATE citadel_fleet SET waiting = $2, waiting_wave = $3, waiting_since = $4 WHERE fleet = $1
