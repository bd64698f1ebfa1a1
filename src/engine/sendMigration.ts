import pg from 'pg';
import type { Db } from '../postgres/connect.js';
import { sendPipelined, type PipelinedStatement, type PipelinedQuery } from '../postgres/pipelinedQuery.js';
import type { SqlStatement } from './split.js';
import type { PreparedMigration, ExecutionSettings } from './migrationTypes.js';
import { Interrupted, StepFailure, sleep } from './sendStep.js';
import type { StatementWatch } from './watch.js';
import { Supervision } from './supervise.js';
import { now, type EventStream } from './events.js';
import { LOCK_NOT_AVAILABLE, QUERY_CANCELED, isConnectionLoss } from './failure.js';
import { LockAttempts } from './lockPolicy.js';
import { assertSettingsSql, guardSql, advisoryLockLost, finishSql, historyChanged } from './session.js';
import { historyRowCount } from '../runbook/history.js';

// Consecutive atomic migrations in one round trip. Each is its own transaction (BEGIN, its
// bookkeeping row, the engine's settings, its statements, the lock check, the row's completion,
// COMMIT), and they all go out together as one pipeline: the server moves from one COMMIT to the next BEGIN without
// waiting for this process, and the answers stream back statement by statement. An error stops
// the pipeline there (the server skips to its end). A lock timeout or giving way to the application
// rolls the migration back and sends it again from its BEGIN after a short pause (lockPolicy.ts).

interface Item extends PipelinedStatement {
  /** Position of the migration in the list being applied. */
  migration: number;
  /** The migration's statement this item runs; control items (BEGIN, SAVEPOINT, COMMIT) have none. */
  statement?: SqlStatement;
  commit?: boolean;
  /** The check that Prisma's advisory lock is still ours (fails with a division by zero if not). */
  guard?: boolean;
  /** Prisma's "finished" update, checked (fails with a division by zero if the migration deleted history rows). */
  finish?: boolean;
}

/** Migration `index` of the list failed (StepFailure) or was interrupted (Interrupted). */
export class MigrationFailure extends Error {
  constructor(
    readonly index: number,
    readonly cause: Interrupted | StepFailure,
  ) {
    super(cause.message);
  }
}

export interface ApplyHooks {
  /** The server has reached migration i (its first statement, or its BEGIN). */
  started(i: number): void;
  /** Migration i is committed. */
  applied(i: number): void;
}

// The driver's own quoting (it also handles backslashes the server would read as escapes).
const esc = (s: string) => pg.escapeLiteral(s);

export class MigrationSender {
  /** The supervision of the pipeline under way: why it cancelled, whom it saw blocking. */
  private watching: Supervision | undefined;

  constructor(
    private readonly db: Db,
    private readonly watch: StatementWatch,
    private readonly events: EventStream,
    private readonly settings: ExecutionSettings,
  ) {}

  /** Applies the migrations in order, each committed with its bookkeeping row; throws MigrationFailure. */
  async applyAll(ps: PreparedMigration[], ids: string[], hooks: ApplyHooks): Promise<void> {
    // The migration being retried, and its attempts. A retry rolls back its whole transaction and
    // sends it again from BEGIN: locks its earlier statements took must not stay held (with the
    // application queued behind them) while a later statement waits for another.
    let from = 0;
    let tries = new LockAttempts(this.settings.lock);
    for (;;) {
      if (this.settings.signal?.aborted) throw new MigrationFailure(from, new Interrupted());
      // Each migration adds one row: migration i must end with at least this many plus its own and those before it.
      const historyRows = await historyRowCount(this.db);
      const items: Item[] = [];
      for (let i = from; i < ps.length; i++) {
        const timeoutMs = i === from ? tries.timeoutMs() : this.settings.lock.firstTimeoutMs;
        items.push(...this.items(ps[i]!, ids[i]!, i, timeoutMs, historyRows + i - from + 1));
      }
      const failure = await this.send(ps, items, hooks);
      if (!failure) return;
      const { err, item, blockers } = failure;
      const i = item?.migration ?? from;
      if (isConnectionLoss(err)) throw new MigrationFailure(i, new StepFailure(err, item?.statement, blockers));
      // The migration's transaction is aborted (or already ended, after a failed COMMIT): end it.
      await this.db.query('ROLLBACK').catch(() => undefined);
      if (this.watching?.reason === 'abort' || this.settings.signal?.aborted)
        throw new MigrationFailure(i, new Interrupted());
      if (item?.guard && (err as { code?: string }).code === '22012')
        throw new MigrationFailure(i, new StepFailure(advisoryLockLost(ps[i]!.migration.name), undefined, blockers));
      if (item?.finish && (err as { code?: string }).code === '22012')
        throw new MigrationFailure(i, new StepFailure(historyChanged(ps[i]!.migration.name), undefined, blockers));
      if (i !== from) {
        from = i;
        tries = new LockAttempts(this.settings.lock);
      }
      const code = (err as { code?: string }).code;
      const lockTrouble =
        code === LOCK_NOT_AVAILABLE || (code === QUERY_CANCELED && this.watching?.reason === 'victims');
      const statement = item?.statement;
      if (!lockTrouble) throw new MigrationFailure(i, new StepFailure(err, statement, blockers));
      const pause = tries.next(this.watching?.sawVictims || this.watching?.reason === 'victims');
      if (pause === undefined)
        throw new MigrationFailure(
          i,
          new StepFailure(err, statement, blockers, { attempts: tries.attempt + 1, waitedMs: tries.elapsedMs() }),
        );
      const first = statement ?? ps[i]!.statements[0]!;
      this.events.emit({
        type: 'retry',
        at: now(),
        name: ps[i]!.migration.name,
        index: first.index + 1,
        attempt: tries.attempt,
        of: this.settings.lock.retries ?? null,
        reason: code === LOCK_NOT_AVAILABLE ? 'lock-timeout' : 'victims',
        blockingPids: blockers,
        pauseMs: pause,
      });
      await sleep(pause, this.settings.signal);
      if (this.settings.signal?.aborted) throw new MigrationFailure(i, new Interrupted());
    }
  }

  /** The pipeline items of one migration: its transaction with the engine's settings, its bookkeeping and the lock check. */
  private items(
    p: PreparedMigration,
    id: string,
    migration: number,
    lockTimeoutMs: number,
    historyRows: number,
  ): Item[] {
    const m = p.migration;
    const session = this.settings.session;
    const items: Item[] = [
      { text: 'BEGIN', flush: false, migration },
      { text: assertSettingsSql(session, lockTimeoutMs), flush: false, migration },
      {
        text: `INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name, applied_steps_count) VALUES (${esc(id)}, ${esc(m.checksum)}, now(), ${esc(m.name)}, 0)`,
        flush: false,
        migration,
      },
    ];
    for (const step of p.steps) {
      for (const statement of step.statements) items.push({ text: statement.sql, flush: true, migration, statement });
    }
    items.push(
      { text: guardSql(session), flush: false, migration, guard: true },
      { text: finishSql(id, historyRows), flush: false, migration, finish: true },
      { text: 'COMMIT', flush: true, migration, commit: true },
    );
    return items;
  }

  /** Sends one pipeline with its events and the watcher's samples; returns its failure, if any. */
  private async send(
    ps: PreparedMigration[],
    items: Item[],
    hooks: ApplyHooks,
  ): Promise<{ err: unknown; item: Item | undefined; blockers: number[] } | undefined> {
    let current = -1; // the item whose statement runs, as far as the answers tell
    let startedAt = 0;
    const nameOf = (it: Item) => ps[it.migration]!.migration.name;
    // Item k is next on the server: announce its migration when it is a new one, and the statement
    // it reaches once only control items stand before it.
    const reach = (k: number) => {
      const next = items[k];
      if (!next) return;
      if (k === 0 || items[k - 1]!.migration !== next.migration) hooks.started(next.migration);
      let s = k;
      while (s < items.length && !items[s]!.statement && !items[s]!.commit) s++;
      const it = items[s];
      if (!it?.statement || s === current) return;
      current = s;
      startedAt = performance.now();
      const st = it.statement;
      this.events.emit({
        type: 'statement-start',
        at: now(),
        name: nameOf(it),
        index: st.index + 1,
        count: ps[it.migration]!.statements.length,
        line: st.line,
        sql: st.sql,
        pid: this.watch.enginePid,
      });
    };
    let pipeline: PipelinedQuery | undefined;
    const answered = (j: number) => {
      const done = items[j]!;
      if (done.statement) {
        this.events.emit({
          type: 'statement-end',
          at: now(),
          name: nameOf(done),
          index: done.statement.index + 1,
          count: ps[done.migration]!.statements.length,
          durationMs: Math.round(performance.now() - startedAt),
        });
      }
      if (done.commit) hooks.applied(done.migration);
      // A cancel that reached the server between two statements was lost: cancel the next one.
      if (this.watching?.reason === 'abort' && items[j + 1]) this.watching.cancel();
      reach(j + 1);
    };
    const running = () => items[current] ?? items[pipeline?.completed ?? 0] ?? items[0]!;
    const watching = new Supervision(this.watch, this.events, this.settings, () => ({
      name: nameOf(running()),
      index: (running().statement?.index ?? 0) + 1,
    }));
    this.watching = watching;
    try {
      pipeline = sendPipelined(this.db, items, answered);
      reach(0);
      await pipeline.done;
      return undefined;
    } catch (err) {
      return { err, item: items[pipeline?.completed ?? 0], blockers: watching.blockers };
    } finally {
      await watching.end();
    }
  }
}
