-- Cancels the running query of session $1 (the session and its transaction stay). False when no
-- such backend exists; a permission error when the role may not signal it.
SELECT pg_cancel_backend($1) AS signalled
