-- The first unfinished wave (NULL: nothing left to run) and the servers of the last wave before it,
-- whose health that wave's gate reads: $1 fleet.
WITH cur AS (
  SELECT min(wave) AS w FROM citadel_fleet_target WHERE fleet = $1 AND state IN ('pending', 'running')
), prev AS (
  SELECT max(wave) AS p FROM citadel_fleet_target WHERE fleet = $1 AND wave < (SELECT w FROM cur)
)
SELECT (SELECT w FROM cur) AS wave,
       array(
         SELECT DISTINCT server FROM citadel_fleet_target
         WHERE fleet = $1 AND wave = (SELECT p FROM prev) ORDER BY server
       ) AS servers
