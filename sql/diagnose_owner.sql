-- Who owns the relation named $1, and who we are: "must be owner" is solved by running as the
-- owner (or a member of the owning role), not by more grants.
SELECT pg_get_userbyid(c.relowner) AS owner, current_user AS "current"
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname = $1 AND n.nspname NOT IN ('pg_catalog', 'information_schema')
LIMIT 1
