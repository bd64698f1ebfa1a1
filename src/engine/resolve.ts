import { readFile } from 'node:fs/promises';
import { connect, type Db } from '../postgres/connect.js';
import { scriptText } from '../runbook/scriptBytes.js';
import type { Target } from '../postgres/target.js';
import { assertSameServer, type ServerIdentity } from '../postgres/identity.js';
import { findMigration, compareMigrationNames, type MigrationsFolder } from '../runbook/folder.js';
import { UserError } from '../errors.js';
import { whoAmI } from '../who.js';
import {
  ensureHistoryTable,
  readHistory,
  resolveApplied,
  resolveRolledBack,
  deleteRows,
  markDownSqlBegun,
  type HistoryRow,
} from '../runbook/history.js';
import { migrationStates, type MigrationStatus } from '../runbook/status.js';
import { splitStatements } from './split.js';
import { tryAdvisoryLock, releaseAdvisoryLock, advisoryHolder, describeHolder } from './advisoryLock.js';
import { now, type EventStream } from './events.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { toMigrationError } from './failure.js';
import { RunRefused, sessionName } from './run.js';
import type { Diagnose } from './failure.js';
import { refuseSessionSharingPooler } from '../postgres/pooler.js';
import { refuseForeignFolder } from '../runbook/folderMatch.js';
import { inTransaction, unclosedTransactionMessage } from './openTransaction.js';

interface ResolveOptions {
  target: Target;
  /** The server and database the command resolved: the session must show the same, or nothing changes. */
  expectServer?: ServerIdentity;
  folder: MigrationsFolder;
  name: string;
  events: EventStream;
  lockTimeoutMs?: number;
  /** Change the bookkeeping although the database's history says the folder is another project's. */
  allowForeignHistory?: boolean;
  /** The variable holding the project's direct URL, for the pooler refusal. */
  directUrlVariable?: string;
  /** A stop: the statement running on the lock's session is cancelled, so its transaction rolls back. */
  signal?: AbortSignal;
  /**
   * Told the lock's session and its backend's pid (as the server gives it) before anything is
   * written on it (the caller watches its round trips: lostAnswer.ts).
   */
  onSession?: (db: Db, pid: number) => void;
}

/** Cancels what session `pid` runs, from a new session (best effort: the caller reads back what happened). */
async function cancelFromAside(target: Target, pid: number): Promise<void> {
  const aside = await connect(target, { applicationName: 'citadel-migrate stop', connectTimeoutMs: 2000 });
  try {
    await aside.query(sqlFile('cancel_backend'), [pid]);
  } finally {
    void aside.end().catch(() => undefined);
  }
}

/** Holds Prisma's advisory lock while bookkeeping changes, so no run is half-way through meanwhile. */
async function withLock<T>(opts: ResolveOptions, purpose: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const { target, events, lockTimeoutMs = 5000 } = opts;
  const db = await connect(target, { applicationName: sessionName(purpose, whoAmI()) });
  let locked = false;
  const onStop = () =>
    void cancelFromAside(target, (db as unknown as { processID: number }).processID).catch(() => undefined);
  if (opts.signal?.aborted) onStop();
  else opts.signal?.addEventListener('abort', onStop, { once: true });
  try {
    if (opts.expectServer) await assertSameServer(db, opts.expectServer, purpose);
    // Before the lock, as a run does: no stranded lock behind a pooler, nothing written for the wrong folder.
    opts.onSession?.(db, await refuseSessionSharingPooler(target, db, opts.directUrlVariable));
    refuseForeignFolder(opts.folder, await readHistory(db), opts.allowForeignHistory);
    locked = await tryAdvisoryLock(db);
    if (!locked) {
      throw new RunRefused(
        `A migration run holds Prisma's advisory lock: ${describeHolder(await advisoryHolder(db))}. Wait for it to finish before you ${purpose}.`,
      );
    }
    events.emit({ type: 'lock-taken', at: now(), pid: (db as unknown as { processID: number }).processID, purpose });
    await db.query(`SET lock_timeout = ${Math.max(0, Math.round(lockTimeoutMs))}`);
    await ensureHistoryTable(db);
    return await fn(db);
  } finally {
    opts.signal?.removeEventListener('abort', onStop);
    if (locked) await releaseAdvisoryLock(db).catch(() => undefined);
    await db.end().catch(() => undefined);
  }
}

async function stateOf(
  db: Db,
  folder: MigrationsFolder,
  name: string,
): Promise<{ state: MigrationStatus; all: MigrationStatus[]; rows: HistoryRow[] }> {
  findMigration(folder, name);
  const rows = await readHistory(db);
  const all = migrationStates(folder.migrations, rows);
  return { state: all.find((s) => s.name === name)!, all, rows: rows.filter((r) => r.migration_name === name) };
}

/** What the console and `skip` show before asking. */
export async function describeSkip(target: Target, folder: MigrationsFolder, name: string): Promise<MigrationStatus> {
  const db = await connect(target, { applicationName: 'citadel-migrate skip' });
  try {
    return (await stateOf(db, folder, name)).state;
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** `prisma migrate resolve --applied`: marks NAME applied without running it. */
export async function skipMigration(opts: ResolveOptions & { reason: string }): Promise<void> {
  await withLock(opts, 'skip a migration', async (db) => {
    const { state } = await stateOf(db, opts.folder, opts.name);
    if (state.state === 'applied' || state.state === 'modified') {
      throw new RunRefused(
        `Migration ${opts.name} is already applied, so there is nothing to skip (Prisma refuses it too, P3008).`,
      );
    }
    await db.query('BEGIN');
    try {
      await resolveApplied(db, opts.name, findMigration(opts.folder, opts.name).checksum);
      await db.query('COMMIT');
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    opts.events.emit({ type: 'skip', at: now(), name: opts.name, reason: opts.reason });
  });
}

export interface RollbackPlan {
  name: string;
  state: MigrationStatus['state'];
  kind: 'down-sql' | 'mark-rolled-back';
  downSql?: string;
  /** Applied migrations after NAME (rolling back needs --force). */
  laterApplied: string[];
  rows: HistoryRow[];
}

/** Decides what a rollback of NAME will do, without doing it (the dialog shows this). */
export async function planRollback(target: Target, folder: MigrationsFolder, name: string): Promise<RollbackPlan> {
  const db = await connect(target, { applicationName: 'citadel-migrate rollback' });
  try {
    return await planOn(db, folder, name);
  } finally {
    await db.end().catch(() => undefined);
  }
}

async function planOn(db: Db, folder: MigrationsFolder, name: string): Promise<RollbackPlan> {
  const { state, all, rows } = await stateOf(db, folder, name);
  const m = findMigration(folder, name);
  const laterApplied = all
    .filter((s) => compareMigrationNames(s.name, name) > 0 && (s.state === 'applied' || s.state === 'modified'))
    .map((s) => s.name);
  const downSql = m.downPath ? scriptText(await readFile(m.downPath), `${name}/down.sql`) : undefined;
  if (state.state === 'failed')
    return { name, state: state.state, kind: 'mark-rolled-back', downSql, laterApplied, rows };
  if (state.state === 'applied' || state.state === 'modified') {
    if (downSql === undefined) {
      throw new UserError(
        `Migration ${name} has no down.sql, so it cannot be rolled back here: write ${m.dir}/down.sql (the statements that undo it), or restore the backup (\`backup --restore\`).`,
        'bad-input',
      );
    }
    return { name, state: state.state, kind: 'down-sql', downSql, laterApplied, rows };
  }
  throw new UserError(
    `Migration ${name} is ${state.state}, not applied or failed, so there is nothing to roll back.`,
    'bad-input',
  );
}

/**
 * Applied: runs down.sql and deletes the migration's rows in one transaction (so Prisma's status,
 * deploy and resolve all agree it is pending). Failed: records it rolled back, as
 * `resolve --rolled-back` does, after running down.sql when asked to (to undo a non-atomic half).
 */
export async function rollbackMigration(
  opts: ResolveOptions & { force?: boolean; runDownForFailed?: boolean; diagnose: Diagnose },
): Promise<RollbackPlan> {
  return withLock(opts, 'roll back a migration', async (db) => {
    // Decided again under the lock, on the lock's own session: the state may have moved since the dialog.
    const plan = await planOn(db, opts.folder, opts.name);
    if (plan.laterApplied.length && !opts.force) {
      throw new UserError(
        `Later migrations are applied after ${opts.name}: ${plan.laterApplied.join(', ')}. Roll those back first, or pass --force to roll back ${opts.name} alone.`,
        'bad-input',
      );
    }
    if (opts.runDownForFailed && plan.downSql === undefined) {
      // Asked to undo what the failed attempt left: recording it rolled back without that would leave its half in place unsaid.
      throw new UserError(
        `Migration ${opts.name} has no down.sql to run: write the statements that undo what it left, or roll back without --run-down to only record it as rolled back.`,
        'bad-input',
      );
    }
    const runDown = plan.kind === 'down-sql' || (opts.runDownForFailed && plan.downSql !== undefined);
    // The rows go to the journal before they are deleted, so the record of the migration is never lost.
    if (plan.kind === 'down-sql')
      opts.events.emit({ type: 'rollback-rows', at: now(), name: opts.name, rows: plan.rows });
    try {
      if (runDown) {
        const statements = await splitStatements(plan.downSql!, `${opts.name}/down.sql`);
        const oneTransaction = statements.every((s) => s.transactional && !s.transactionControl);
        if (oneTransaction) await db.query('BEGIN');
        else if (plan.kind === 'down-sql') await markDownSqlBegun(db, opts.name);
        for (const s of statements) {
          try {
            await db.query(`${s.sql}\n;`);
          } catch (err) {
            const hint = await opts.diagnose(db, err, s, [], []).catch(() => undefined);
            const e = toMigrationError(err, s, hint);
            throw Object.assign(
              new RunRefused(
                `down.sql of ${opts.name} failed at line ${s.line}: ${e.message}${hint ? ` (${hint})` : ''}. Nothing was changed${oneTransaction ? '' : ' after the statements before it'}.`,
              ),
              { migrationError: e },
            );
          }
        }
        if (!oneTransaction && inTransaction(db)) {
          const what = unclosedTransactionMessage(`${opts.name}/down.sql`, statements);
          throw new RunRefused(
            `${what}: end that transaction with COMMIT in down.sql, check what the statements before it did, and roll back again.`,
          );
        }
        if (plan.kind === 'down-sql') await deleteRows(db, opts.name);
        else await resolveRolledBack(db, opts.name);
        if (oneTransaction) await db.query('COMMIT');
      } else {
        await resolveRolledBack(db, opts.name);
      }
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      opts.events.emit({
        type: 'rollback',
        at: now(),
        name: opts.name,
        kind: plan.kind,
        outcome: 'failed',
        error: (err as { migrationError?: never }).migrationError ?? toMigrationError(err),
      });
      throw err;
    }
    opts.events.emit({
      type: 'rollback',
      at: now(),
      name: opts.name,
      kind: plan.kind,
      outcome: 'done',
      removedRows: plan.kind === 'down-sql' ? plan.rows.length : 0,
    });
    return plan;
  });
}
