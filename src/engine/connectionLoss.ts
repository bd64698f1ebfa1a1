import { connect, type Db } from '../postgres/connect.js';
import type { Target } from '../postgres/target.js';
import { insertFailed } from '../runbook/history.js';
import type { PreparedMigration, MigrationResult } from './migrationTypes.js';
import { now, type EventStream, type MigrationError } from './events.js';
import { failureLogs } from './failure.js';
import { sqlFile } from '../postgres/sqlFiles.js';

// The session died under a migration (terminated backend, restarted server, a network cut). What
// the server did with what it was sent is unknown until it is read back: with the pipeline, the
// COMMIT is always on its way, and after a network cut the server may still be executing it. So
// nothing is recorded before a new session has read `_prisma_migrations` (and waited, for a while,
// for a backend of ours that is still running). Never a failed row beside a finished one.

/** The migrations that were on their way to the server when it went away, with their row ids. */
export interface InFlight {
  migrations: PreparedMigration[];
  /** The bookkeeping row id of each (atomic: inside its transaction); undefined when unknown. */
  ids: (string | undefined)[];
  /** The backend that ran them, which may still be executing after a network cut. */
  enginePid: number;
  cause: unknown;
}

const WAIT_FOR_BACKEND_MS = 30_000;

export async function afterConnectionLoss(
  target: Target,
  events: EventStream,
  f: InFlight,
): Promise<MigrationResult[]> {
  const first = f.migrations[0]!;
  const reason = `the connection to the server was lost during this migration (${(f.cause as Error)?.message ?? String(f.cause)})`;
  let db: Db;
  try {
    db = await reconnect(target, 20_000);
  } catch {
    const error: MigrationError = {
      code: 'CONNECTION_LOST',
      message: reason,
      hint: 'the server is unreachable, so whether it committed this migration is unknown: nothing was recorded; run `status` once it is back',
    };
    return [end(events, first, 'failed', error), ...notRun(f.migrations.slice(1))];
  }
  try {
    const still = await backendStillRunning(db, f.enginePid);
    const rows = await db.query<{ id: string; migration_name: string; finished: boolean }>(
      sqlFile('history_rows_of_migrations'),
      [f.migrations.map((m) => m.migration.name)],
    );
    const results: MigrationResult[] = [];
    for (const [k, p] of f.migrations.entries()) {
      const mine = rows.rows.filter(
        (r) => r.migration_name === p.migration.name && (p.atomic ? r.id === f.ids[k] : true),
      );
      if (mine.some((r) => r.finished)) {
        // The server committed it after all: it is applied, whatever the lost session said.
        results.push(end(events, p, 'applied'));
        continue;
      }
      if (still) {
        const error: MigrationError = {
          code: 'CONNECTION_LOST',
          message: reason,
          hint: `the server is still executing it (backend pid ${f.enginePid}): it commits or rolls back when that ends; nothing was recorded: run \`status\` to see which`,
        };
        results.push(end(events, p, 'failed', error));
      } else if (p.atomic) {
        const error: MigrationError = {
          code: 'CONNECTION_LOST',
          message: reason,
          hint: 'the migration ran in one transaction, which the server rolled back: nothing of it remains, it is pending again and the next run applies it',
        };
        results.push(end(events, p, 'failed', error));
      } else {
        const error: MigrationError = {
          code: 'CONNECTION_LOST',
          message: reason,
          hint: 'this migration is not atomic: statements committed before the loss remain; inspect them, then `rollback` (runs down.sql) or `skip`',
        };
        const logs = failureLogs(p.migration.name, error);
        const open = mine.filter((r) => !r.finished);
        if (open.length) await db.query(sqlFile('history_rows_failed'), [open.map((r) => r.id), logs]);
        else await insertFailed(db, p.migration.name, p.migration.checksum, logs);
        results.push(end(events, p, 'failed', error));
      }
      return [...results, ...notRun(f.migrations.slice(k + 1))];
    }
    return results;
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** Waits (a while) for our old backend to finish what it was sent; true if it is still at it. */
async function backendStillRunning(db: Db, pid: number): Promise<boolean> {
  const t0 = Date.now();
  for (;;) {
    const r = await db.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state <> 'idle'`, [pid]);
    if (!r.rowCount) return false;
    if (Date.now() - t0 > WAIT_FOR_BACKEND_MS) return true;
    await new Promise((res) => setTimeout(res, 250));
  }
}

function end(
  events: EventStream,
  p: PreparedMigration,
  outcome: 'applied' | 'failed',
  error?: MigrationError,
): MigrationResult {
  events.emit({
    type: 'migration-end',
    at: now(),
    name: p.migration.name,
    outcome,
    durationMs: 0,
    ...(error ? { error } : {}),
  });
  return {
    name: p.migration.name,
    outcome,
    durationMs: 0,
    statements: p.statements.length,
    atomic: p.atomic,
    ...(error ? { error } : {}),
  };
}

const notRun = (ps: PreparedMigration[]): MigrationResult[] =>
  ps.map((p) => ({
    name: p.migration.name,
    outcome: 'not-run',
    durationMs: 0,
    statements: p.statements.length,
    atomic: p.atomic,
  }));

/** A restarting server refuses connections for a few seconds: keep trying for a while. */
async function reconnect(target: Target, withinMs: number): Promise<Db> {
  const t0 = Date.now();
  for (;;) {
    try {
      return await connect(target, {
        applicationName: `citadel-migrate run (recovery, pid ${process.pid})`,
        connectTimeoutMs: 5000,
      });
    } catch (err) {
      if (Date.now() - t0 > withinMs) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
