import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { SqlStatement } from './split.js';
import type { Step } from './steps.js';
import type { PreparedMigration, ExecutionSettings } from './migrationTypes.js';
import type { StatementWatch } from './watch.js';
import { Supervision } from './supervise.js';
import { now, type EventStream } from './events.js';
import { LOCK_NOT_AVAILABLE, QUERY_CANCELED, isConnectionLoss } from './failure.js';
import { LockAttempts } from './lockPolicy.js';

// Sending one step: its statement events, the watcher's samples while it runs (blockers, victims),
// cancelling on Ctrl-C or too many victims, and retries after a lock timeout under its savepoint.

/** Ctrl-C (or quitting the console) stopped the step: the caller rolls back. */
export class Interrupted extends Error {}

/** Carries the blocking pids seen while the failed statement waited, for the hint. */
export class StepFailure extends Error {
  constructor(
    readonly cause: unknown,
    readonly statement: SqlStatement | undefined,
    readonly blockers: number[],
    /** Set when the lock attempts were used up: how many, over how long. */
    readonly gaveUp?: { attempts: number; waitedMs: number },
    /** The transaction is gone or unusable (the error came at COMMIT or before the savepoint). */
    readonly transactionLost = false,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}

/**
 * A pause that Ctrl-C (or the console's q) cuts short. Its abort listener goes with it: one left per
 * retry made Node warn of a leak after ten (on the console's message line).
 */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** How one step is sent (StepSender.send). */
export interface StepSending {
  /** The step's SQL. */
  sql: () => string;
  /** What goes before the SQL on each attempt (the savepoint inside a transaction); none by default. */
  prefix?: (attempt: number) => string;
  /** Inside the migration's transaction (retries under its savepoint), or alone in autocommit. */
  inTransaction: boolean;
  /** Emit the statements' start and end events (default true; off when a failed batch is re-run to find its statement). */
  emitEvents?: boolean;
  /** A lock timeout may be retried (default true). */
  mayRetry?: boolean;
}

export class StepSender {
  constructor(
    private readonly db: Db,
    private readonly watch: StatementWatch,
    private readonly events: EventStream,
    private readonly settings: ExecutionSettings,
  ) {}

  async send(p: PreparedMigration, step: Step, how: StepSending): Promise<void> {
    const { sql, prefix = () => '', inTransaction: inTxn, emitEvents: emit = true, mayRetry = true } = how;
    const name = p.migration.name;
    const count = p.statements.length;
    const first = step.statements[0]!;
    const tries = new LockAttempts(this.settings.lock);
    const concurrentIndex = !inTxn && first.kind === 'IndexStmt' && first.ast.IndexStmt?.concurrent;
    // An INVALID index of the same name, left by an earlier build that failed, would make this one
    // fail with "already exists" (or be skipped by IF NOT EXISTS): it goes first.
    if (concurrentIndex) {
      const leftover = await this.dropInvalidIndex(first);
      if (leftover) throw new StepFailure(leftoverIndex(undefined, leftover), first, []);
    }
    for (;;) {
      const attempt = tries.attempt;
      const lockTimeoutSql = `SELECT set_config('lock_timeout', '${tries.timeoutMs()}ms', false)`;
      // An autocommit statement (CREATE INDEX CONCURRENTLY) must be alone in its query.
      if (!inTxn) await this.db.query(lockTimeoutSql);
      const t0 = performance.now();
      if (emit)
        for (const s of step.statements)
          this.events.emit({
            type: 'statement-start',
            at: now(),
            name,
            index: s.index + 1,
            count,
            line: s.line,
            sql: s.sql,
            pid: this.watch.enginePid,
          });
      const watching = new Supervision(this.watch, this.events, this.settings, () => ({
        name,
        index: first.index + 1,
      }));
      let failed = false;
      let err: unknown;
      try {
        await this.db.query((inTxn ? `${lockTimeoutSql};\n` : '') + prefix(attempt) + sql());
      } catch (e) {
        failed = true;
        err = e;
      } finally {
        await watching.end();
      }
      if (!failed) {
        const ms = Math.round(performance.now() - t0);
        if (emit)
          for (const s of step.statements)
            this.events.emit({
              type: 'statement-end',
              at: now(),
              name,
              index: s.index + 1,
              count,
              durationMs: Math.round(ms / step.statements.length),
            });
        return;
      }
      const blockers = watching.blockers;
      if (isConnectionLoss(err)) throw new StepFailure(err, first, blockers);
      // The savepoint answers only while the transaction is open: a failed COMMIT, or an error before
      // the savepoint was set, leaves nothing to retry in.
      const open = inTxn
        ? await this.db.query('ROLLBACK TO SAVEPOINT cm_step').then(
            () => true,
            () => false,
          )
        : true;
      const code = (err as { code?: string }).code;
      if (watching.reason === 'abort' || this.settings.signal?.aborted) throw new Interrupted();
      if (!open) throw new StepFailure(err, undefined, blockers, undefined, true);
      const lockTrouble = code === LOCK_NOT_AVAILABLE || (code === QUERY_CANCELED && watching.reason === 'victims');
      const pause = lockTrouble && mayRetry ? tries.next(watching.sawVictims) : undefined;
      // What a cancelled CREATE INDEX CONCURRENTLY left must be gone before it runs again.
      const leftover = concurrentIndex ? await this.dropInvalidIndex(first) : undefined;
      if (leftover) throw new StepFailure(leftoverIndex(err, leftover), first, blockers);
      if (pause !== undefined) {
        this.events.emit({
          type: 'retry',
          at: now(),
          name,
          index: first.index + 1,
          attempt: tries.attempt,
          of: this.settings.lock.retries ?? null,
          reason: code === LOCK_NOT_AVAILABLE ? 'lock-timeout' : 'victims',
          blockingPids: blockers,
          pauseMs: pause,
        });
        await sleep(pause, this.settings.signal);
        if (this.settings.signal?.aborted) throw new Interrupted();
        continue;
      }
      throw new StepFailure(
        err,
        step.statements.length === 1 ? first : undefined,
        blockers,
        lockTrouble && mayRetry ? { attempts: tries.attempt + 1, waitedMs: tries.elapsedMs() } : undefined,
      );
    }
  }

  /**
   * A failed or cancelled CREATE INDEX CONCURRENTLY leaves an INVALID index, which IF NOT EXISTS
   * would then skip and a plain retry would trip over (42P07). It is dropped CONCURRENTLY (no lock
   * that stops the application), and looked up again: returns its name if it is still there.
   */
  private async dropInvalidIndex(s: SqlStatement): Promise<string | undefined> {
    const idx = s.ast.IndexStmt?.idxname as string | undefined;
    if (!idx) return undefined;
    const invalid = async () =>
      (await this.db.query<{ invalid: boolean }>(sqlFile('invalid_index'), [idx])).rows[0]?.invalid === true;
    try {
      if (!(await invalid())) return undefined;
      const tries = new LockAttempts(this.settings.lock);
      for (;;) {
        await this.db.query(`SELECT set_config('lock_timeout', '${tries.timeoutMs()}ms', false)`);
        const dropped = await this.db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${this.db.escapeIdentifier(idx)}`).then(
          () => true,
          () => false,
        );
        if (dropped || this.settings.signal?.aborted) break;
        const pause = tries.attempt < 3 ? tries.next() : undefined;
        if (pause === undefined) break;
        await sleep(pause, this.settings.signal);
      }
      return (await invalid()) ? idx : undefined;
    } catch {
      return idx;
    }
  }
}

/** The failure when the invalid index could not be dropped: the real cause, the index, the way out. */
function leftoverIndex(cause: unknown, idx: string): Error & { code?: string; leftoverIndex: string } {
  const e = cause as { code?: string; message?: string } | undefined;
  const what = e ? `${e.message ?? String(cause)}; the cancelled build left` : 'an earlier build that failed left';
  return Object.assign(
    new Error(
      `${what} the INVALID index "${idx}", which could not be dropped (something still holds a lock on its table): run DROP INDEX CONCURRENTLY IF EXISTS "${idx}"; once it is free, then run again`,
    ),
    { code: e?.code ?? 'INVALID_INDEX_LEFT', leftoverIndex: idx },
  );
}
