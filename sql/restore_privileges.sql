-- Can this role drop and recreate the database named $1? Dropping needs ownership (or superuser),
-- recreating needs CREATEDB. Checked before anything is dropped, so a restore never stops halfway
-- with the database gone.
SELECT r.rolsuper AS superuser,
       (r.rolsuper OR r.rolcreatedb) AS can_create,
       (r.rolsuper OR pg_has_role(current_user, d.datdba, 'MEMBER')) AS can_drop,
       pg_get_userbyid(d.datdba) AS owner
FROM pg_roles r
LEFT JOIN pg_database d ON d.datname = $1
WHERE r.rolname = current_user
