import { connect, type Db } from '../postgres/connect.js';
import type { Target } from '../postgres/target.js';
import { assertSameServer, type ServerIdentity } from '../postgres/identity.js';
import type { MigrationsFolder } from '../runbook/folder.js';
import { findMigration, compareMigrationNames } from '../runbook/folder.js';
import { UserError } from '../errors.js';
import { whoAmI } from '../who.js';
import { createHistoryTable, historyExists, readHistory, type HistoryRow } from '../runbook/history.js';
import { migrationStates, runnable } from '../runbook/status.js';
import { ParseAhead } from './prepare.js';
import { StatementWatch } from './watch.js';
import {
  tryAdvisoryLock,
  waitAdvisoryLock,
  releaseAdvisoryLock,
  advisoryHolder,
  describeHolder,
} from './advisoryLock.js';
import { MigrationExecutor, ConnectionLost } from './execute.js';
import type { PreparedMigration, MigrationResult } from './migrationTypes.js';
import { now, type EventStream, type RunMode } from './events.js';
import { isConnectionLoss, type Diagnose } from './failure.js';
import { lockPolicy, describeLockPolicy, type LockOptions } from './lockPolicy.js';
import { readSessionSettings, assertSettingsSql, describeInheritedTimeout } from './session.js';
import { afterConnectionLoss } from './connectionLoss.js';
import { refuseSessionSharingPooler } from '../postgres/pooler.js';
import { refuseForeignFolder } from '../runbook/folderMatch.js';
import { collectHolds, holdWhileOver, HoldExpired, type HoldPolicy, type RunHold } from './hold.js';
import { parseProgress } from './batch.js';

/**
 * The application_name of our sessions: what they do, who runs them, and this process's pid, so a
 * console recognises its own sessions (its run, its skip) and a DBA can tell two consoles apart.
 */
export function sessionName(purpose: string, who: string): string {
  return `citadel-migrate ${purpose} (${who}, pid ${process.pid})`.slice(0, 63);
}

/** Lock options (lockTimeoutMs, lockRetries, lockWaitLimitMs, maxVictims...): lockPolicy.ts has the defaults. */
export interface RunOptions extends LockOptions {
  target: Target;
  /** The server and database the command resolved: the run's session must show the same, or nothing runs. */
  expectServer?: ServerIdentity;
  /**
   * Called once the run's session is open, before anything is read, locked or written on it: the
   * caller learns (or checks) the server there and readies its journal, without a connection of its
   * own. A throw ends the run with nothing done. `watchDb` is the watcher's session (its backend is
   * the run's too).
   */
  onSession?: (db: Db, watchDb: Db) => Promise<void>;
  /**
   * True once the caller has given up on this run (its answers stopped coming) and read back by
   * itself what the server did: a session lost after that is not recovered, nothing more is written.
   */
  abandoned?: () => boolean;
  /**
   * The two sessions, opened ahead by the caller (openRunSessions, started while it read the folder):
   * the run takes them over and closes them. Absent: the run opens them itself.
   */
  sessions?: Promise<RunSessions>;
  folder: MigrationsFolder;
  events: EventStream;
  mode?: RunMode;
  /** Stop after this migration (included). */
  to?: string;
  /** Run at most this many migrations. */
  only?: number;
  /**
   * Exactly these migrations, in this order: the ones the DBA confirmed. Checked under Prisma's
   * lock: if they are no longer the next pending ones (another runner applied one while the
   * question was open), nothing runs and the run is refused, rather than running what nobody confirmed.
   */
  names?: string[];
  /** statement_timeout of the run; undefined keeps the session's own (the role's or database's setting). */
  statementTimeoutMs?: number;
  /** Wait for another run's advisory lock instead of refusing. */
  wait?: boolean;
  allowModified?: boolean;
  /** Apply a folder although the database's history says it is another project's (see folderMatch.ts). */
  allowForeignHistory?: boolean;
  /** The variable holding the project's direct URL (the schema's directUrl), for the pooler refusal. */
  directUrlVariable?: string;
  /** Rehearsal: after a failure record it and go on with the next migration. */
  keepGoing?: boolean;
  /** Send cheap consecutive statements together (off in rehearsals, which time every statement). */
  batching?: boolean;
  signal?: AbortSignal;
  /** A failure's hint (the analysis layer's diagnoseFailure): the engine does not diagnose by itself. */
  diagnose: Diagnose;
  /**
   * Rehearsal: awaited before and after each migration, which then run one at a time (the
   * rehearsal measures its copy in between, in one run instead of a run per migration).
   */
  around?: { before(name: string): Promise<void>; after(result: MigrationResult): Promise<void> };
  /** Hold, don't abort: before each migration (then run one at a time) and between steps and batches. */
  hold?: HoldPolicy;
  /** What holds the run, in words, for its first lines (operations/hold.ts). */
  holdWords?: string;
}

export interface RunResult {
  mode: RunMode;
  outcome: 'ok' | 'failed' | 'interrupted' | 'nothing-to-do';
  migrations: MigrationResult[];
  durationMs: number;
  /** Each hold of the run, in order: before which work, how long, why (the last reading over the limit). */
  holds?: RunHold[];
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
  const elapsed = () => Math.round(performance.now() - t0);
  const mode = opts.mode ?? 'live';
  const batching = opts.batching ?? mode === 'live';
  // The scripts are parsed while the two sessions connect and the history is read: the parser
  // works in the gaps where this process waits for the server.
  const parsing = new ParseAhead(opts.folder.migrations, batching);
  const { holds, stop: stopListening } = collectHolds(opts.events);
  const withHolds = (r: RunResult): RunResult => (holds.length ? { ...r, holds } : r);
  const { db, watchDb } = await openSessions(opts, parsing).catch((err) => {
    stopListening();
    throw err;
  });
  let locked = false;
  try {
    await opts.onSession?.(db, watchDb);
    // Before Prisma's lock: a transaction pooler would strand it.
    const enginePid = await refuseSessionSharingPooler(opts.target, db, opts.directUrlVariable);
    const existed = await historyExists(db);
    const watch = new StatementWatch(watchDb, enginePid);

    locked = await takeAdvisoryLock(db, watchDb, watch, opts);
    if (!locked) return { mode, outcome: 'interrupted', migrations: [], durationMs: elapsed() };
    // Session-level, so that they hold inside the migration's transaction and for autocommit
    // statements alike; set again for every migration, whatever one of them did to the session.
    const policy = lockPolicy(opts);
    const session = await readSessionSettings(db, opts.statementTimeoutMs);
    await db.query(assertSettingsSql(session, policy.firstTimeoutMs));
    // Read once, under the lock: what another runner committed before it counts. (A table that
    // existed still does; one that did not may have been created by that runner meanwhile.)
    const hasHistory = existed || (await historyExists(db));
    const rows = hasHistory ? await readHistory(db, { knownToExist: true }) : [];
    // The wrong folder writes nothing: refused before the run's start is recorded or any row written.
    // (a rehearsal writes only to its scratch copy: trying a folder there is what it is for)
    if (mode === 'live' && hasHistory) refuseForeignFolder(opts.folder, rows, opts.allowForeignHistory);
    const todo = migrationsToRun(rows, opts);

    // Every script is parsed before anything runs: a syntax error in the fifth must not leave four applied.
    parsing.stop();
    const prepared: PreparedMigration[] = [];
    for (const m of todo) prepared.push(await parsing.get(m));

    opts.events.emit({
      type: 'run-start',
      at: now(),
      mode,
      target: opts.target.redacted,
      pending: todo.map((m) => m.name),
      lockHolderPid: enginePid,
      lockPolicy: describeLockPolicy(policy),
      ...(opts.holdWords ? { hold: opts.holdWords } : {}),
      ...describeInheritedTimeout(session),
    });
    // Nothing has changed yet: a caller that could not record the run's start (its journal) has aborted.
    if (opts.signal?.aborted) return withHolds(finishRun(opts.events, mode, 'interrupted', prepared, [], elapsed));
    if (!hasHistory) await createHistoryTable(db);
    if (!prepared.length) {
      opts.events.emit({ type: 'run-end', at: now(), outcome: 'nothing-to-do', applied: [], durationMs: elapsed() });
      return { mode, outcome: 'nothing-to-do', migrations: [], durationMs: elapsed() };
    }

    const executor = new MigrationExecutor(db, watch, opts.events, {
      mode,
      lock: policy,
      session,
      signal: opts.signal,
      hold: opts.hold,
      hintFor: (err, stmt, blockers, name) =>
        opts.diagnose(
          watchDb,
          err,
          stmt,
          blockers,
          opts.folder.migrations.filter((m) => compareMigrationNames(m.name, name) > 0),
        ),
    });
    const { outcome, results } = await executeInOrder(prepared, executor, opts, enginePid);
    return withHolds(finishRun(opts.events, mode, outcome, prepared, results, elapsed));
  } finally {
    stopListening();
    parsing.stop();
    if (locked) await releaseAdvisoryLock(db).catch(() => undefined);
    await db.end().catch(() => undefined);
    await watchDb.end().catch(() => undefined);
  }
}

export interface RunSessions {
  db: Db;
  watchDb: Db;
}

/**
 * The run's session and the watcher's: both or neither (the one that connected is closed again).
 * A caller may start this before it reads the folder, so the logins overlap that work.
 */
export async function openRunSessions(target: Target): Promise<RunSessions> {
  const who = whoAmI();
  const [mainConn, watchConn] = await Promise.allSettled([
    connect(target, { applicationName: sessionName('run', who) }),
    connect(target, { applicationName: sessionName('watch', who) }),
  ]);
  if (mainConn.status === 'rejected' || watchConn.status === 'rejected') {
    if (mainConn.status === 'fulfilled') await mainConn.value.end().catch(() => undefined);
    if (watchConn.status === 'fulfilled') await watchConn.value.end().catch(() => undefined);
    throw mainConn.status === 'rejected' ? mainConn.reason : (watchConn as PromiseRejectedResult).reason;
  }
  return { db: mainConn.value, watchDb: watchConn.value };
}

/** Sessions opened ahead that no run took over (the caller failed first): closed, quietly. */
export function closeRunSessions(sessions: Promise<RunSessions> | undefined): void {
  void sessions?.then((s) => Promise.all([s.db.end(), s.watchDb.end()])).catch(() => undefined);
}

/** The run's two sessions (opened ahead, or now), checked against the server the command resolved. */
async function openSessions(opts: RunOptions, parsing: ParseAhead): Promise<RunSessions> {
  let sessions: RunSessions;
  try {
    sessions = await (opts.sessions ?? openRunSessions(opts.target));
  } catch (err) {
    parsing.stop();
    throw err;
  }
  if (opts.expectServer) {
    try {
      await assertSameServer(sessions.db, opts.expectServer, 'run migrations');
    } catch (err) {
      parsing.stop();
      await Promise.all([sessions.db.end(), sessions.watchDb.end()].map((p) => p.catch(() => undefined)));
      throw err;
    }
  }
  return sessions;
}

/**
 * Prisma's advisory lock for the run: refused when another run holds it, unless told to wait.
 * Returns false when Ctrl-C ended the wait (the run is interrupted, nothing was done).
 */
async function takeAdvisoryLock(db: Db, watchDb: Db, watch: StatementWatch, opts: RunOptions): Promise<boolean> {
  if (await tryAdvisoryLock(db)) return true;
  const holder = await advisoryHolder(watchDb);
  opts.events.emit({ type: 'lock-busy', at: now(), holder, waiting: Boolean(opts.wait) });
  if (!opts.wait) {
    throw new RunRefused(
      `Another migration run holds Prisma's advisory lock: ${describeHolder(holder)}. Wait for it to finish, or pass --wait to queue behind it.`,
    );
  }
  const onAbort = () => void watch.cancel().catch(() => undefined);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await waitAdvisoryLock(db);
  } catch (err) {
    if (opts.signal?.aborted) return false;
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return true;
}

/**
 * The migrations this run applies, in order (up to --to, at most `only`), after Prisma's refusals:
 * nothing runs past a failed migration, nor over an applied one whose script was modified.
 */
function migrationsToRun(rows: HistoryRow[], opts: RunOptions): MigrationsFolder['migrations'] {
  const states = migrationStates(opts.folder.migrations, rows);
  // A batched backfill stopped part-way (its row's logs say how far) is resumed, not refused.
  const resumable = new Set(
    rows.filter((r) => !r.finished_at && !r.rolled_back_at && parseProgress(r.logs)).map((r) => r.migration_name),
  );
  const failed = states.filter((s) => s.state === 'failed' && !resumable.has(s.name));
  if (failed.length && !opts.keepGoing) {
    const n = failed[0]!.name;
    throw new RunRefused(
      `Migration ${n} is in the failed state, and nothing runs until it is resolved (as Prisma does): undo what it left and run \`citadel-migrate rollback ${n}\`, or, if it was completed by hand, \`citadel-migrate skip ${n} --reason "..."\`.`,
    );
  }
  const modified = states.filter((s) => s.state === 'modified');
  if (modified.length && !opts.allowModified) {
    throw new RunRefused(
      `The applied migration ${modified[0]!.name} has been modified since it ran (its checksum differs): restore the applied version of its migration.sql, or pass --allow-modified to run anyway.`,
    );
  }
  const next = states.filter((s) => runnable([s]).length || (s.state === 'failed' && resumable.has(s.name)));
  let todo = next.map((s) => opts.folder.migrations.find((m) => m.name === s.name)!);
  if (opts.to) {
    const stop = findMigration(opts.folder, opts.to);
    todo = todo.filter((m) => compareMigrationNames(m.name, stop.name) <= 0);
  }
  if (opts.only !== undefined) todo = todo.slice(0, opts.only);
  if (opts.names) return asConfirmed(todo, opts.names, states);
  return todo;
}

/** The confirmed names, if they are still the next pending migrations; else a refusal saying what changed. */
function asConfirmed<T extends { name: string }>(
  todo: T[],
  names: string[],
  states: { name: string; state: string }[],
): T[] {
  const again = 'Nothing was run: look at `citadel-migrate status` and confirm again.';
  const gone = names.find((n) => !todo.some((m) => m.name === n));
  if (gone) {
    const now = states.find((s) => s.name === gone)?.state;
    const why =
      now === 'applied'
        ? 'another run applied it after you confirmed'
        : now
          ? `it is ${now} now`
          : 'its folder is gone';
    throw new RunRefused(`${gone} is no longer pending (${why}). ${again}`);
  }
  const next = todo.slice(0, names.length);
  const first = next.findIndex((m, i) => m.name !== names[i]);
  if (first >= 0)
    throw new RunRefused(
      `The pending migrations changed after you confirmed: ${next[first]!.name} now comes before ${names[first]}. ${again}`,
    );
  return next;
}

/**
 * Applies the prepared migrations in order (consecutive atomic ones together), until one fails
 * (unless keepGoing), Ctrl-C, or the end. A lost session is followed by reading back what the
 * server did. Each result lines up with its migration in `prepared`.
 */
async function executeInOrder(
  prepared: PreparedMigration[],
  executor: MigrationExecutor,
  opts: RunOptions,
  enginePid: number,
): Promise<{ outcome: RunResult['outcome']; results: MigrationResult[] }> {
  const results: MigrationResult[] = [];
  let outcome: RunResult['outcome'] = 'ok';
  // The next to try is results.length.
  while (results.length < prepared.length) {
    const i = results.length;
    if (opts.signal?.aborted) {
      outcome = 'interrupted';
      break;
    }
    let end = i;
    while (end < prepared.length && prepared[end]!.atomic) end++;
    if (opts.around) {
      end = Math.min(end, i + 1);
      await opts.around.before(prepared[i]!.migration.name);
    }
    if (opts.hold) {
      end = Math.min(end, i + 1);
      try {
        await holdWhileOver(opts.hold, opts.events, prepared[i]!.migration.name, opts.signal);
      } catch (err) {
        // Between migrations: nothing is open, nothing of this one was started.
        if (!(err instanceof HoldExpired)) throw err;
        outcome = 'failed';
        break;
      }
      if (opts.signal?.aborted) continue;
    }
    try {
      if (end > i) await executor.executeAtomic(prepared.slice(i, end), i + 1, prepared.length, results);
      else results.push(await executor.execute(prepared[i]!, i + 1, prepared.length));
    } catch (err) {
      const lost = err instanceof ConnectionLost ? err : undefined;
      if ((!lost && !isConnectionLoss(err)) || opts.abandoned?.()) throw err;
      // What the server did is read back on a new session before anything is recorded.
      const from = lost ? i + lost.index : results.length;
      const inFlight = lost ? prepared.slice(from, end) : [prepared[from]!];
      const after = await afterConnectionLoss(opts.target, opts.events, {
        migrations: inFlight,
        ids: lost ? lost.ids : [undefined],
        enginePid,
        cause: lost ? lost.cause : err,
      });
      results.push(...after);
      outcome = after.some((r) => r.outcome === 'failed') ? 'failed' : 'ok';
      if (outcome === 'failed') break;
      continue;
    }
    const last = results[results.length - 1];
    if (opts.around && last) await opts.around.after(last);
    if (last?.interrupted) {
      outcome = 'interrupted';
      break;
    }
    if (last?.outcome === 'failed') {
      outcome = 'failed';
      if (!opts.keepGoing) break;
    }
  }
  return { outcome, results };
}

/** The migrations not reached are reported as not run; the run's end event and result. */
function finishRun(
  events: EventStream,
  mode: RunMode,
  outcome: RunResult['outcome'],
  prepared: PreparedMigration[],
  results: MigrationResult[],
  elapsed: () => number,
): RunResult {
  for (const p of prepared.slice(results.length)) {
    results.push({
      name: p.migration.name,
      outcome: 'not-run',
      durationMs: 0,
      statements: p.statements.length,
      atomic: p.atomic,
    });
  }
  const durationMs = elapsed();
  const failedName = results.find((r) => r.outcome === 'failed')?.name;
  events.emit({
    type: 'run-end',
    at: now(),
    outcome,
    applied: results.filter((r) => r.outcome === 'applied').map((r) => r.name),
    ...(failedName ? { failed: failedName } : {}),
    durationMs,
  });
  return { mode, outcome, migrations: results, durationMs };
}
