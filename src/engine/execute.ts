import type { Db } from '../postgres/connect.js';
import type { LocalMigration } from '../runbook/folder.js';
import { stepSql, type Step } from './steps.js';
import type { StatementWatch } from './watch.js';
import { StepSender, Interrupted, StepFailure } from './sendStep.js';
import { MigrationSender, MigrationFailure } from './sendMigration.js';
import { now, type EventStream, type MigrationError } from './events.js';
import { toMigrationError, failureLogs, isConnectionLoss } from './failure.js';
import { insertStarted, markFailed, insertFailed, deleteRow, historyRowCount } from '../runbook/history.js';
import {
  assertSettingsSql,
  stillHoldsLock,
  advisoryLockLost,
  ADVISORY_LOCK_LOST,
  finishSql,
  historyChanged,
} from './session.js';
import type { PreparedMigration, MigrationResult, ExecutionSettings } from './migrationTypes.js';
import { isTransient, transientError } from './transient.js';
import { inTransaction, unclosedTransaction } from './openTransaction.js';
import { holdWhileOver } from './hold.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { progressText, resumableRow, runBatched } from './batch.js';

/** The migration ended inside a transaction of its own: rolled back, and a failed migration. */
class UnclosedTransaction extends Error {
  constructor(readonly error: MigrationError) {
    super(error.message);
  }
}

/** The session was lost while migration `index` of the pipeline ran: the caller finds out what the server did. */
export class ConnectionLost extends Error {
  constructor(
    readonly index: number,
    readonly cause: unknown,
    /** The bookkeeping row ids of the migrations from `index` on, as sent. */
    readonly ids: string[],
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}

export class MigrationExecutor {
  private readonly sender: StepSender;
  private readonly pipelined: MigrationSender;

  constructor(
    private readonly db: Db,
    watch: StatementWatch,
    private readonly events: EventStream,
    private readonly settings: ExecutionSettings,
  ) {
    this.sender = new StepSender(db, watch, events, settings);
    this.pipelined = new MigrationSender(db, watch, events, settings);
  }

  /** A non-atomic migration (CONCURRENTLY and the like, or its author's own transactions). */
  async execute(p: PreparedMigration, index: number, count: number): Promise<MigrationResult> {
    return this.stepwise(p, this.tracker(p, index, count));
  }

  /**
   * Consecutive atomic migrations, each one transaction with its bookkeeping row inside (a crash
   * leaves nothing of it), sent together as one pipeline (MigrationSender). Pushes a result per
   * migration attempted onto `results`, and stops after the first that fails or is interrupted.
   */
  async executeAtomic(
    ps: PreparedMigration[],
    firstIndex: number,
    count: number,
    results: MigrationResult[],
  ): Promise<void> {
    const trackers = ps.map((p, i) => this.tracker(p, firstIndex + i, count, false));
    const ids = ps.map(() => crypto.randomUUID());
    const started = new Set<number>();
    const start = (i: number) => {
      if (started.has(i)) return;
      started.add(i);
      trackers[i]!.start();
    };
    try {
      await this.pipelined.applyAll(ps, ids, {
        started: start,
        applied: (i) => results.push(trackers[i]!('applied')),
      });
    } catch (err) {
      if (!(err instanceof MigrationFailure)) throw err;
      start(err.index);
      await this.db.query('ROLLBACK').catch(() => undefined);
      const result = trackers[err.index]!;
      if (err.cause instanceof Interrupted) {
        // The transaction held the bookkeeping row too: nothing of the migration remains.
        results.push(
          result(
            'not-run',
            { code: 'INTERRUPTED', message: 'interrupted; the migration was rolled back and is pending again' },
            true,
          ),
        );
        return;
      }
      const m = ps[err.index]!.migration;
      if (isConnectionLoss(err.cause.cause)) throw new ConnectionLost(err.index, err.cause.cause, ids.slice(err.index));
      const error = await this.describe(err.cause, m.name);
      // Nothing to undo after a lock timeout, a cancel or a lost advisory lock: the migration is
      // plainly pending (its row was in the rolled-back transaction), not in Prisma's failed state.
      if (isTransient(err.cause)) {
        results.push(result('failed', transientError(error, err.cause)));
        return;
      }
      await this.recordFailed(m, error, undefined);
      results.push(result('failed', error));
    }
  }

  /** Emits a migration's start (at once, unless deferred) and, through the returned function, its end. */
  private tracker(p: PreparedMigration, index: number, count: number, startNow = true) {
    const name = p.migration.name;
    let t0 = performance.now();
    const start = () => {
      t0 = performance.now();
      this.events.emit({
        type: 'migration-start',
        at: now(),
        name,
        index,
        count,
        statements: p.statements.length,
        atomic: p.atomic,
      });
    };
    if (startNow) start();
    const result = (
      outcome: MigrationResult['outcome'],
      error?: MigrationError,
      interrupted = false,
    ): MigrationResult => {
      const durationMs = Math.round(performance.now() - t0);
      this.events.emit({
        type: 'migration-end',
        at: now(),
        name,
        outcome: interrupted ? 'interrupted' : outcome === 'applied' ? 'applied' : 'failed',
        durationMs,
        ...(error ? { error } : {}),
      });
      return {
        name,
        outcome,
        durationMs,
        statements: p.statements.length,
        atomic: p.atomic,
        ...(error ? { error } : {}),
        ...(interrupted ? { interrupted } : {}),
      };
    };
    return Object.assign(result, { start });
  }

  /** Non-atomic scripts: the started row is committed first (as Prisma does), then segment by segment. */
  private async stepwise(
    p: PreparedMigration,
    result: (o: MigrationResult['outcome'], e?: MigrationError, i?: boolean) => MigrationResult,
  ) {
    const m = p.migration;
    await this.db.query(assertSettingsSql(this.settings.session, this.settings.lock.firstTimeoutMs));
    // A backfill that stopped part-way (kill -9, Ctrl-C) goes on from its last committed batch, on
    // its own history row: the migration is recorded once, after the last batch.
    const resume = p.batches ? await resumableRow(this.db, m.name, m.checksum) : undefined;
    // The history's rows with this migration's own: fewer at its end means it deleted some.
    const historyRows = (await historyRowCount(this.db)) + (resume ? 0 : 1);
    const id = resume ? resume.id : await insertStarted(this.db, m.name, m.checksum);
    let progress = resume?.progress;
    let inTxn = false;
    let savepoint = false;
    let committedWork = false;
    let done = 0;
    // Statements whose work is committed: what a failure leaves behind (those of a transaction that
    // was open when it failed are rolled back with it, so they are not counted).
    let committed = 0;
    try {
      for (const step of p.steps) {
        this.throwIfAborted();
        // Between statements, never inside a transaction (its locks would be held while waiting).
        if (done > 0 && !inTxn && !inTransaction(this.db)) {
          await holdWhileOver(this.settings.hold, this.events, m.name, this.settings.signal);
          this.throwIfAborted();
        }
        const first = step.statements[0]!;
        const batchSize = p.batches?.get(first.index);
        if (resume && first.index < resume.progress.statement) {
          // committed by the run that stopped: every statement before its backfill was
          done += step.statements.length;
          continue;
        }
        if (batchSize) {
          if (inTxn) {
            await this.db.query('COMMIT');
            inTxn = false;
          }
          committedWork = true;
          committed = done;
          const from = progress?.statement === first.index ? progress : undefined;
          const rows = await runBatched(this.db, {
            name: m.name,
            s: first,
            size: batchSize,
            rowId: id,
            from,
            events: this.events,
            hold: this.settings.hold,
            signal: this.settings.signal,
            interrupted: () => new Interrupted(),
            saved: (saved) => (progress = saved),
          });
          progress = { statement: first.index, doneBelow: progress?.doneBelow ?? '', rows };
          committed = done + 1;
        } else if (p.ownTransactions) {
          await this.runAlone(p, step, !inTransaction(this.db));
          if (!inTransaction(this.db)) {
            committedWork = true;
            committed = done + step.statements.length;
          }
        } else if (step.autocommit) {
          if (inTxn) {
            await this.db.query('COMMIT');
            inTxn = false;
            committedWork = true;
            committed = done;
          }
          await this.runAlone(p, step, true);
          committedWork = true;
          committed = done + step.statements.length;
        } else {
          if (!inTxn) {
            await this.db.query('BEGIN');
            inTxn = true;
            savepoint = false;
          }
          await this.runInTransaction(p, step, savepoint);
          savepoint = true;
        }
        done += step.statements.length;
      }
      if (inTxn) await this.db.query('COMMIT');
      if (inTransaction(this.db)) throw new UnclosedTransaction(unclosedTransaction(m.name, p.statements));
      // Back to the run's role and search_path, and still the only run: else the started row stays
      // (Prisma's failed state), which also stops any other run from passing it.
      if (!(await stillHoldsLock(this.db, this.settings.session))) throw advisoryLockLost(m.name);
      await this.finish(m.name, id, historyRows);
      return result('applied');
    } catch (err) {
      if (inTxn || inTransaction(this.db)) await this.db.query('ROLLBACK').catch(() => undefined);
      if (err instanceof Interrupted) {
        if (!committedWork) {
          await deleteRow(this.db, id).catch(() => undefined);
          return result(
            'not-run',
            {
              code: 'INTERRUPTED',
              message: 'interrupted before any statement was committed; the migration is pending again',
            },
            true,
          );
        }
        const error: MigrationError = {
          code: 'INTERRUPTED',
          message: `interrupted after ${done} of ${p.statements.length} statements; the committed ones remain (this migration is not atomic)`,
          hint: `inspect what remains, then \`rollback ${m.name}\` (runs down.sql) or \`skip ${m.name}\``,
        };
        await this.recordFailed(m, error, id);
        await this.keepProgress(id, progress);
        return result('failed', error, true);
      }
      const error = err instanceof UnclosedTransaction ? err.error : await this.describe(err, m.name);
      // A lock timeout or a cancel before anything was committed: nothing remains, so no failed
      // state (as for an atomic migration) — the started row goes, and the migration is pending.
      if (
        err instanceof StepFailure &&
        isTransient(err) &&
        !committedWork &&
        (err.cause as { code?: string })?.code !== ADVISORY_LOCK_LOST
      ) {
        await deleteRow(this.db, id).catch(() => undefined);
        return result('failed', transientError(error, err));
      }
      await this.db
        .query(assertSettingsSql(this.settings.session, this.settings.lock.firstTimeoutMs))
        .catch(() => undefined);
      await this.recordFailed(
        m,
        error,
        id,
        committedWork
          ? `Statements committed before the failure: ${committed} of ${p.statements.length} (non-atomic migration).`
          : undefined,
      );
      await this.keepProgress(id, progress);
      return result('failed', error);
    }
  }

  /** A backfill's progress stays the first line of a failed row's logs: the next run resumes from it. */
  private async keepProgress(id: string, progress: { statement: number; doneBelow: string; rows: number } | undefined) {
    if (!progress?.doneBelow) return;
    await this.db.query(sqlFile('backfill_progress_keep'), [id, progressText(progress)]).catch(() => undefined);
  }

  /** Prisma's "finished" update, refused (HISTORY_CHANGED) when the migration deleted history rows, its own included. */
  private async finish(name: string, id: string, historyRows: number): Promise<void> {
    try {
      await this.db.query(finishSql(id, historyRows));
    } catch (err) {
      if ((err as { code?: string }).code !== '22012') throw err;
      throw historyChanged(name, { expected: historyRows, found: await historyRowCount(this.db) });
    }
  }

  /** Inside the migration's transaction: a savepoint per step, so a lock-timeout retry repeats only that step. */
  private async runInTransaction(
    p: PreparedMigration,
    step: Step,
    savepointOpen: boolean,
    lead = '',
    tail = '',
  ): Promise<void> {
    // A retry runs under the savepoint that ROLLBACK TO kept: nothing before the step is sent again.
    const prefix = (attempt: number) =>
      attempt ? '' : `${lead}${savepointOpen ? 'RELEASE SAVEPOINT cm_step;\n' : ''}SAVEPOINT cm_step;\n`;
    try {
      await this.sender.send(p, step, { sql: () => stepSql(step) + tail, prefix, inTransaction: true });
    } catch (err) {
      // Only while the transaction is still open (its savepoint answered) may the batch be re-run
      // one statement at a time to find the one that failed: after a failed COMMIT it would autocommit.
      if (
        err instanceof StepFailure &&
        !err.transactionLost &&
        !err.gaveUp &&
        step.statements.length > 1 &&
        !(err.cause instanceof Interrupted)
      ) {
        for (const s of step.statements) {
          await this.sender.send(
            p,
            { statements: [s], autocommit: false },
            {
              sql: () => `${s.sql}\n;`,
              prefix: () => 'RELEASE SAVEPOINT cm_step;\nSAVEPOINT cm_step;\n',
              inTransaction: true,
              emitEvents: false,
            },
          );
        }
      }
      throw err;
    }
  }

  private async runAlone(p: PreparedMigration, step: Step, mayRetry: boolean): Promise<void> {
    await this.sender.send(p, step, { sql: () => stepSql(step), inTransaction: false, mayRetry });
  }

  private throwIfAborted(): void {
    if (this.settings.signal?.aborted) throw new Interrupted();
  }

  private async describe(err: unknown, migration: string): Promise<MigrationError> {
    if (err instanceof StepFailure) {
      const hint = await this.settings
        .hintFor(err.cause, err.statement, err.blockers, migration)
        .catch(() => undefined);
      return toMigrationError(err.cause, err.statement, hint);
    }
    return toMigrationError(err);
  }

  /** Prisma's failed state: a row without finished_at, the error in logs. */
  private async recordFailed(
    m: LocalMigration,
    error: MigrationError,
    id: string | undefined,
    extra?: string,
  ): Promise<void> {
    const logs = failureLogs(m.name, error, extra);
    // The started row may be gone (the migration deleted it): the failure is recorded all the same.
    if (!id || !(await markFailed(this.db, id, logs))) await insertFailed(this.db, m.name, m.checksum, logs);
  }
}
