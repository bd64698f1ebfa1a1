import type { Db } from '../postgres/connect.js';
import type { SqlStatement } from './split.js';
import type { PreparedMigration, ExecutionSettings } from './execute.js';
import { StatementPipeline, sendPipeline, type PipelineItem } from './pipeline.js';
import { Interrupted, StepFailure, sleep } from './sendStep.js';
import type { StatementWatch } from './watch.js';
import { Supervision } from './supervise.js';
import { now, type EventStream } from './events.js';
import { LOCK_NOT_AVAILABLE, QUERY_CANCELED, isConnectionLoss } from './failure.js';

// Consecutive atomic migrations in one round trip. Each is its own transaction (BEGIN, its
// bookkeeping row, a savepoint per step, its statements, the row's completion, COMMIT), and they
// all go out together as one pipeline: the server moves from one COMMIT to the next BEGIN without
// waiting for this process, and the answers stream back statement by statement. An error stops
// the pipeline there (the server skips to its end). A lock timeout rolls back to the failing
// step's savepoint and sends everything again from that step, so a retry repeats only that step.

interface Item extends PipelineItem {
  /** Position of the migration in the list being applied. */
  migration: number;
  /** The migration's statement this item runs; control items (BEGIN, SAVEPOINT, COMMIT) have none. */
  statement?: SqlStatement;
  step?: number;
  commit?: boolean;
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

const esc = (s: string) => `'${s.replace(/'/g, "''")}'`;

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
    const attempts = new Map<string, number>();
    // After a retry, the savepoint that ROLLBACK TO kept already guards the step sent first.
    let from = { migration: 0, step: 0, open: false };
    for (;;) {
      if (this.settings.signal?.aborted) throw new MigrationFailure(from.migration, new Interrupted());
      const items: Item[] = [];
      for (let i = from.migration; i < ps.length; i++) items.push(...this.items(ps[i]!, ids[i]!, i, i === from.migration ? from : undefined));
      const failure = await this.send(ps, items, hooks, from.open);
      if (!failure) return;
      const { err, item, blockers } = failure;
      const i = item?.migration ?? from.migration;
      if (isConnectionLoss(err)) throw new MigrationFailure(i, new StepFailure(err, item?.statement, blockers));
      // A statement failed under its step's savepoint: rolling back to it keeps the transaction.
      const kept = item?.step !== undefined ? await this.db.query('ROLLBACK TO SAVEPOINT cm_step').then(() => true, () => false) : false;
      if (this.watching?.reason === 'abort' || this.settings.signal?.aborted) throw new MigrationFailure(i, new Interrupted());
      if (!kept) throw new MigrationFailure(i, new StepFailure(err, undefined, blockers, true));
      const code = (err as { code?: string }).code;
      const step = item!.step!;
      const key = `${i}:${step}`;
      const tried = attempts.get(key) ?? 0;
      const lockTrouble = code === LOCK_NOT_AVAILABLE || (code === QUERY_CANCELED && this.watching?.reason === 'victims');
      if (!lockTrouble || tried >= this.settings.lockRetries) throw new MigrationFailure(i, new StepFailure(err, item!.statement, blockers));
      attempts.set(key, tried + 1);
      const first = ps[i]!.steps[step]!.statements[0]!;
      this.events.emit({ type: 'retry', at: now(), name: ps[i]!.migration.name, index: first.index + 1, attempt: tried + 1, of: this.settings.lockRetries, reason: code === LOCK_NOT_AVAILABLE ? 'lock-timeout' : 'victims', blockingPids: blockers });
      await sleep(Math.min(this.settings.retryDelayMs * 2 ** tried, 10_000), this.settings.signal);
      if (this.settings.signal?.aborted) throw new MigrationFailure(i, new Interrupted());
      from = { migration: i, step, open: true };
    }
  }

  /** The pipeline items of one migration, whole or (after a retry) from one of its steps on. */
  private items(p: PreparedMigration, id: string, migration: number, resume?: { step: number; open: boolean }): Item[] {
    const m = p.migration;
    const from = resume?.open ? resume.step : 0;
    const items: Item[] = resume?.open
      ? []
      : [
          { text: 'BEGIN', flush: false, migration },
          { text: `INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name, applied_steps_count) VALUES (${esc(id)}, ${esc(m.checksum)}, now(), ${esc(m.name)}, 0)`, flush: false, migration },
        ];
    for (let k = from; k < p.steps.length; k++) {
      // COMMIT releases the last savepoint; each other step releases the one before it.
      if (k > from) items.push({ text: 'RELEASE SAVEPOINT cm_step', flush: false, migration }, { text: 'SAVEPOINT cm_step', flush: false, migration });
      else if (!resume?.open) items.push({ text: 'SAVEPOINT cm_step', flush: false, migration });
      for (const statement of p.steps[k]!.statements) items.push({ text: statement.sql, flush: true, migration, statement, step: k });
    }
    items.push(
      { text: `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = ${esc(id)}`, flush: false, migration },
      { text: 'COMMIT', flush: true, migration, commit: true },
    );
    return items;
  }

  /** Sends one pipeline with its events and the watcher's samples; returns its failure, if any. */
  private async send(ps: PreparedMigration[], items: Item[], hooks: ApplyHooks, resumed: boolean): Promise<{ err: unknown; item: Item | undefined; blockers: number[] } | undefined> {
    let current = -1; // the item whose statement runs, as far as the answers tell
    let startedAt = 0;
    const nameOf = (it: Item) => ps[it.migration]!.migration.name;
    // Item k is next on the server: announce its migration when it is a new one, and the statement
    // it reaches once only control items stand before it.
    const reach = (k: number) => {
      const next = items[k];
      if (!next) return;
      if (k === 0 ? !resumed : items[k - 1]!.migration !== next.migration) hooks.started(next.migration);
      let s = k;
      while (s < items.length && !items[s]!.statement && !items[s]!.commit) s++;
      const it = items[s];
      if (!it?.statement || s === current) return;
      current = s;
      startedAt = performance.now();
      const st = it.statement;
      this.events.emit({ type: 'statement-start', at: now(), name: nameOf(it), index: st.index + 1, count: ps[it.migration]!.statements.length, line: st.line, sql: st.sql, pid: this.watch.enginePid });
    };
    const pipeline = new StatementPipeline(items, (j) => {
      const done = items[j]!;
      if (done.statement) {
        this.events.emit({ type: 'statement-end', at: now(), name: nameOf(done), index: done.statement.index + 1, count: ps[done.migration]!.statements.length, durationMs: Math.round(performance.now() - startedAt) });
      }
      if (done.commit) hooks.applied(done.migration);
      // A cancel that reached the server between two statements was lost: cancel the next one.
      if (this.watching?.reason === 'abort' && items[j + 1]) this.watching.cancel();
      reach(j + 1);
    });
    const running = () => items[current] ?? items[pipeline.completed] ?? items[0]!;
    const watching = new Supervision(this.watch, this.events, this.settings, () => ({ name: nameOf(running()), index: (running().statement?.index ?? 0) + 1 }));
    this.watching = watching;
    try {
      const done = sendPipeline(this.db, pipeline);
      reach(0);
      await done;
      return undefined;
    } catch (err) {
      return { err, item: items[pipeline.completed], blockers: watching.blockers };
    } finally {
      await watching.end();
    }
  }
}
