// The replication part of `status` and `locks`: standbys, slots, WAL and archive, and autovacuum on
// the tables the next pending migration touches.
import { sqlFile } from '../postgres/sqlFiles.js';
import type { MigrationsFolder } from '../runbook/folder.js';
import { runnable, type MigrationStatus } from '../runbook/status.js';
import { splitStatements } from '../engine/split.js';
import { relationOf } from '../engine/steps.js';
import {
  autovacuumOn,
  readReplicationHealth,
  WalRate,
  type AutovacuumWork,
  type Queryable,
  type ReplicationHealth,
} from '../monitor/replication.js';

/** Long enough between the two WAL readings for a rate, short enough not to slow `status` down. */
export const WAL_SAMPLE_MS = 250;

export interface ReplicationStatus {
  health: ReplicationHealth;
  /** Autovacuum workers on a table the next migration touches. */
  touched: AutovacuumWork[];
}

/** The tables a migration's statements name (the relation each works on). */
export async function tablesTouchedBy(m: { name: string; sql: string } | undefined): Promise<string[]> {
  if (!m) return [];
  const statements = await splitStatements(m.sql, `${m.name}/migration.sql`).catch(() => []);
  return [...new Set(statements.map(relationOf).filter((t): t is string => Boolean(t)))];
}

/** One reading, with the WAL rate measured over WAL_SAMPLE_MS (a first position, the rest, a second). */
export async function readReplicationStatus(
  db: Queryable,
  next?: { folder: MigrationsFolder; states: MigrationStatus[] },
): Promise<ReplicationStatus> {
  const rate = new WalRate();
  const t0 = performance.now();
  rate.update((await db.query(sqlFile('wal_position'))).rows[0]);
  const first = next ? runnable(next.states)[0] : undefined;
  const tables = await tablesTouchedBy(next?.folder.migrations.find((m) => m.name === first?.name));
  const wait = WAL_SAMPLE_MS - (performance.now() - t0);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const health = await readReplicationHealth(db, rate);
  return { health, touched: autovacuumOn(health, tables) };
}
