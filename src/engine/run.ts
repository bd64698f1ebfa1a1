import { connect, type Db } from '../postgres/connect.js';
import type { Target } from '../postgres/target.js';
import type { MigrationsFolder } from '../runbook/folder.js';
import { findMigration } from '../runbook/folder.js';
import { UserError } from '../errors.js';
import { whoAmI } from '../journal/journal.js';
import { ensureHistoryTable, readHistory, insertFailed } from '../runbook/history.js';
import { migrationStates, runnable } from '../runbook/status.js';
import { ParseAhead } from './prepare.js';
import { StatementWatch } from './watch.js';
import { tryAdvisoryLock, waitAdvisoryLock, releaseAdvisoryLock, advisoryHolder, describeHolder } from './advisoryLock.js';
import { MigrationExecutor, type PreparedMigration, type MigrationResult, type ExecutionSettings } from './execute.js';
import { now, type EventStream, type RunMode } from './events.js';
import { isConnectionLoss, failureLogs } from './failure.js';
import { diagnoseFailure } from './hint.js';
import { refuseSessionSharingPooler } from '../postgres/pooler.js';
import { refuseForeignFolder } from '../runbook/folderMatch.js';

/**
 * The application_name of our sessions: what they do, who runs them, and this process's pid, so a
 * console recognises its own sessions (its run, its skip) and a DBA can tell two consoles apart.
 */
export function sessionName(purpose: string, who: string): string {
  return `citadel-migrate ${purpose} (${who}, pid ${process.pid})`.slice(0, 63);
}

export interface RunOptions {
  target: Target;
  folder: MigrationsFolder;
  events: EventStream;
  mode?: RunMode;
  /** Stop after this migration (included). */
  to?: string;
  /** Run at most this many migrations (the console's "run next" is 1). */
  only?: number;
  lockTimeoutMs?: number;
  lockRetries?: number;
  statementTimeoutMs?: number;
  retryDelayMs?: number;
  /** Wait for another run's advisory lock instead of refusing. */
  wait?: boolean;
  allowModified?: boolean;
  /** Apply a folder although the database's history says it is another project's (see folderMatch.ts). */
  allowForeignHistory?: boolean;
  /** The variable holding the project's direct URL (the schema's directUrl), for the pooler refusal. */
  directUrlVariable?: string;
  /** Rehearsal: after a failure record it and go on with the next migration. */
  keepGoing?: boolean;
  maxVictims?: number;
  maxVictimWaitMs?: number;
  /** Send cheap consecutive statements together (off in rehearsals, which time every statement). */
  batching?: boolean;
  signal?: AbortSignal;
  hintFor?: ExecutionSettings['hintFor'];
}

export interface RunResult {
  mode: RunMode;
  outcome: 'ok' | 'failed' | 'interrupted' | 'nothing-to-do';
  migrations: MigrationResult[];
  durationMs: number;
}

/** Refusals that are not the user's typing but the database's state: exit 1, with the way out. */
export class RunRefused extends UserError {
  constructor(message: string) {
    super(message, 'refused');
  }
}

/**
 * Applies the pending migrations in folder-name order, interchangeably with `prisma migrate deploy`:
 * Prisma's advisory lock for the whole run, Prisma's bookkeeping, Prisma's refusal to pass a failed migration.
 */
export async function runMigrations(opts: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  const mode = opts.mode ?? 'live';
  const who = whoAmI();
  const batching = opts.batching ?? mode === 'live';
  // The scripts are parsed while the two sessions connect and the history is read: the parser
  // works in the gaps where this process waits for the server.
  const parsing = new ParseAhead(opts.folder.migrations, batching);
  const [mainConn, watchConn] = await Promise.allSettled([
    connect(opts.target, { applicationName: sessionName('run', who) }),
    connect(opts.target, { applicationName: sessionName('watch', who) }),
  ]);
  if (mainConn.status === 'rejected' || watchConn.status === 'rejected') {
    parsing.stop();
    if (mainConn.status === 'fulfilled') await mainConn.value.end().catch(() => undefined);
    if (watchConn.status === 'fulfilled') await watchConn.value.end().catch(() => undefined);
    throw mainConn.status === 'rejected' ? mainConn.reason : (watchConn as PromiseRejectedResult).reason;
  }
  const db = mainConn.value;
  const watchDb: Db = watchConn.value;
  let locked = false;
  try {
    // Before Prisma's lock: a transaction pooler would strand it, and the wrong folder must write nothing.
    const enginePid = await refuseSessionSharingPooler(opts.target, db, opts.directUrlVariable);
    // (a rehearsal writes only to its scratch copy: trying a folder there is what it is for)
    if (mode === 'live') refuseForeignFolder(opts.folder, await readHistory(db), opts.allowForeignHistory);
    const watch = new StatementWatch(watchDb, enginePid);

    locked = await tryAdvisoryLock(db);
    if (!locked) {
      const holder = await advisoryHolder(watchDb);
      opts.events.emit({ type: 'lock-busy', at: now(), holder, waiting: Boolean(opts.wait) });
      if (!opts.wait) {
        throw new RunRefused(`Another migration run holds Prisma's advisory lock: ${describeHolder(holder)}. Wait for it to finish, or pass --wait to queue behind it.`);
      }
      const onAbort = () => void watch.cancel().catch(() => undefined);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await waitAdvisoryLock(db);
      } catch (err) {
        if (opts.signal?.aborted) return { mode, outcome: 'interrupted', migrations: [], durationMs: Math.round(performance.now() - t0) };
        throw err;
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
      }
      locked = true;
    }
    // Session-level, so that they hold inside the migration's transaction and for autocommit statements alike.
    await db.query(`SET lock_timeout = ${Math.max(0, Math.round(opts.lockTimeoutMs ?? 5000))}; SET statement_timeout = ${Math.max(0, Math.round(opts.statementTimeoutMs ?? 0))}`);
    await ensureHistoryTable(db);

    const states = migrationStates(opts.folder.migrations, await readHistory(db, { knownToExist: true }));
    const failed = states.filter((s) => s.state === 'failed');
    if (failed.length && !opts.keepGoing) {
      const n = failed[0]!.name;
      throw new RunRefused(`Migration ${n} is in the failed state, and nothing runs until it is resolved (as Prisma does): undo what it left and run \`citadel-migrate rollback ${n}\`, or, if it was completed by hand, \`citadel-migrate skip ${n} --reason "..."\`.`);
    }
    const modified = states.filter((s) => s.state === 'modified');
    if (modified.length && !opts.allowModified) {
      throw new RunRefused(`The applied migration ${modified[0]!.name} has been modified since it ran (its checksum differs): restore the applied version of its migration.sql, or pass --allow-modified to run anyway.`);
    }
    let todo = runnable(states).map((s) => opts.folder.migrations.find((m) => m.name === s.name)!);
    if (opts.to) {
      const stop = findMigration(opts.folder, opts.to);
      todo = todo.filter((m) => m.name <= stop.name);
    }
    if (opts.only !== undefined) todo = todo.slice(0, opts.only);

    // Every script is parsed before anything runs: a syntax error in the fifth must not leave four applied.
    parsing.stop();
    const prepared: PreparedMigration[] = [];
    for (const m of todo) prepared.push(await parsing.get(m));

    opts.events.emit({ type: 'run-start', at: now(), mode, target: opts.target.redacted, pending: todo.map((m) => m.name), lockHolderPid: enginePid });
    if (!prepared.length) {
      opts.events.emit({ type: 'run-end', at: now(), outcome: 'nothing-to-do', applied: [], durationMs: Math.round(performance.now() - t0) });
      return { mode, outcome: 'nothing-to-do', migrations: [], durationMs: Math.round(performance.now() - t0) };
    }

    const executor = new MigrationExecutor(db, watch, opts.events, {
      mode,
      lockRetries: opts.lockRetries ?? 3,
      retryDelayMs: opts.retryDelayMs ?? 1000,
      maxVictims: opts.maxVictims,
      maxVictimWaitMs: opts.maxVictimWaitMs ?? 10_000,
      signal: opts.signal,
      hintFor: opts.hintFor ?? ((err, stmt, blockers, name) => diagnoseFailure(watchDb, err, stmt, blockers, opts.folder.migrations.filter((m) => m.name > name))),
    });
    const results: MigrationResult[] = [];
    let outcome: RunResult['outcome'] = 'ok';
    // Each result lines up with its migration in `prepared`: the next to try is results.length.
    while (results.length < prepared.length) {
      const i = results.length;
      if (opts.signal?.aborted) {
        outcome = 'interrupted';
        break;
      }
      let end = i;
      while (end < prepared.length && prepared[end]!.atomic) end++;
      try {
        if (end > i) await executor.executeAtomic(prepared.slice(i, end), i + 1, prepared.length, results);
        else results.push(await executor.execute(prepared[i]!, i + 1, prepared.length));
      } catch (err) {
        if (!isConnectionLoss(err)) throw err;
        results.push(await afterConnectionLoss(opts, prepared[results.length]!, err));
        outcome = 'failed';
        break;
      }
      const last = results[results.length - 1];
      if (last?.interrupted) {
        outcome = 'interrupted';
        break;
      }
      if (last?.outcome === 'failed') {
        outcome = 'failed';
        if (!opts.keepGoing) break;
      }
    }
    for (const p of prepared.slice(results.length)) {
      results.push({ name: p.migration.name, outcome: 'not-run', durationMs: 0, statements: p.statements.length, atomic: p.atomic });
    }
    const durationMs = Math.round(performance.now() - t0);
    const failedName = results.find((r) => r.outcome === 'failed')?.name;
    opts.events.emit({ type: 'run-end', at: now(), outcome, applied: results.filter((r) => r.outcome === 'applied').map((r) => r.name), ...(failedName ? { failed: failedName } : {}), durationMs });
    return { mode, outcome, migrations: results, durationMs };
  } finally {
    parsing.stop();
    if (locked) await releaseAdvisoryLock(db).catch(() => undefined);
    await db.end().catch(() => undefined);
    await watchDb.end().catch(() => undefined);
  }
}

/**
 * The server went away mid-migration (terminated backend, restart). An atomic migration's
 * transaction died with the connection; the failure is recorded on a new connection, as Prisma's
 * failed state, so that nobody takes the migration for applied or silently pending.
 */
async function afterConnectionLoss(opts: RunOptions, p: PreparedMigration, err: unknown): Promise<MigrationResult> {
  const message = `the connection to the server was lost during this migration (${(err as Error).message})`;
  const error = {
    code: (err as { code?: string }).code ?? 'CONNECTION_LOST',
    message,
    hint: p.atomic
      ? 'the migration ran in one transaction, which the server rolled back: nothing of it remains; check the server, then `rollback` marks it resolved and the next run applies it again'
      : 'this migration is not atomic: statements committed before the loss remain; inspect them, then `rollback` (runs down.sql) or `skip`',
  };
  opts.events.emit({ type: 'migration-end', at: now(), name: p.migration.name, outcome: 'failed', durationMs: 0, error });
  try {
    const db = await reconnect(opts.target, 20_000);
    try {
      const logs = failureLogs(p.migration.name, error);
      const r = await db.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`, [p.migration.name, logs]);
      if (!r.rowCount) await insertFailed(db, p.migration.name, p.migration.checksum, logs);
    } finally {
      await db.end().catch(() => undefined);
    }
  } catch {
    error.hint += '; the failure could not be recorded because the server is still unreachable: run `status` once it is back';
  }
  return { name: p.migration.name, outcome: 'failed', durationMs: 0, statements: p.statements.length, atomic: p.atomic, error };
}

/** A restarting server refuses connections for a few seconds: keep trying for a while. */
async function reconnect(target: Target, withinMs: number): Promise<Db> {
  const t0 = Date.now();
  for (;;) {
    try {
      return await connect(target, { applicationName: 'citadel-migrate run (recovery)', connectTimeoutMs: 5000 });
    } catch (err) {
      if (Date.now() - t0 > withinMs) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
