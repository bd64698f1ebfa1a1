-- Ends session $1: its transaction rolls back and its locks are released.
SELECT pg_terminate_backend($1) AS signalled
