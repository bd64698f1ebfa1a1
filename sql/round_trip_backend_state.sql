-- What the server says of the backend ($1) whose answer the run is waiting for: its state and how
-- long it has been in it. 'idle' or 'idle in transaction' for a while: the statement finished and
-- the server waits for us, so the answer was lost on the way. No row: the backend is gone.
SELECT coalesce(state, '') AS state,
       floor(extract(epoch FROM clock_timestamp() - state_change) * 1000)::int8 AS state_age_ms
FROM pg_stat_activity
WHERE pid = $1
