-- The next target a runner may claim: in the first unfinished wave, pending or with an expired lease,
-- on a server below the per-server limit; rows other runners are claiming are skipped, not waited for.
-- $1 fleet, $2 per-server limit, $3 servers to leave out (their limit was reached meanwhile), $4 the last
-- wave this runner opened (a later one waits for its gate).
WITH wave AS (
  SELECT min(wave) AS w FROM citadel_fleet_target WHERE fleet = $1 AND state IN ('pending', 'running')
), busy AS (
  SELECT server, count(*) AS n FROM citadel_fleet_target
  WHERE fleet = $1 AND state = 'running' AND lease_until > now()
  GROUP BY server
)
SELECT t.name, t.server, t.state, (SELECT w FROM wave) AS wave
FROM citadel_fleet_target t
WHERE t.fleet = $1
  AND t.wave = (SELECT w FROM wave)
  AND t.wave <= $4
  AND (t.state = 'pending' OR (t.state = 'running' AND t.lease_until <= now()))
  AND coalesce((SELECT n FROM busy WHERE busy.server = t.server), 0) < $2
  AND NOT (t.server = ANY ($3::text[]))
ORDER BY t.position
LIMIT 1
FOR UPDATE OF t SKIP LOCKED
