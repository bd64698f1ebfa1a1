-- Whether the target is a standby (a hot standby accepts the session but refuses every write).
SELECT pg_is_in_recovery() AS standby
