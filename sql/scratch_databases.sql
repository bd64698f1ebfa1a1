-- The scratch databases citadel-migrate made on this server (backup verification copies, rehearsal
-- copies), each with whether the process that made it still holds its owner session (its
-- application_name carries the scratch's id, visible to every role) and whether we may drop it.
SELECT d.datname AS name,
       pg_catalog.pg_get_userbyid(d.datdba) AS owner,
       CASE WHEN has_database_privilege(d.oid, 'CONNECT') THEN pg_catalog.pg_database_size(d.oid) END AS bytes,
       EXISTS (
         SELECT 1 FROM pg_catalog.pg_stat_activity a
         WHERE a.application_name = 'citadel-migrate scratch ' || substring(d.datname FROM '^citadel_scratch_[a-z]+_([0-9a-f]{8})')
       ) AS in_use,
       pg_catalog.pg_has_role(current_user, d.datdba, 'MEMBER')
         OR (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) AS can_drop
FROM pg_catalog.pg_database d
WHERE d.datname LIKE 'citadel\_scratch\_%'
ORDER BY d.datname
