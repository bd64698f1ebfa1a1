-- The fleet ledger's two tables (created once, by the first runner; IF NOT EXISTS keeps it idempotent).
CREATE TABLE IF NOT EXISTS citadel_fleet (
  fleet text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  stopped text,
  paused boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS citadel_fleet_target (
  fleet text NOT NULL REFERENCES citadel_fleet ON DELETE CASCADE,
  name text NOT NULL,
  target text NOT NULL,
  server text NOT NULL,
  wave int NOT NULL,
  position int NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  runner text,
  lease_until timestamptz,
  migration text,
  last_applied text,
  applied int,
  started_at timestamptz,
  duration_ms bigint,
  error text,
  attempts int NOT NULL DEFAULT 0,
  PRIMARY KEY (fleet, name)
);
-- Why the next wave waits (its gate: the health of the servers of the wave before), added after the
-- first release: a ledger created then gains the columns here.
ALTER TABLE citadel_fleet
  ADD COLUMN IF NOT EXISTS waiting text,
  ADD COLUMN IF NOT EXISTS waiting_wave int,
  ADD COLUMN IF NOT EXISTS waiting_since timestamptz;
