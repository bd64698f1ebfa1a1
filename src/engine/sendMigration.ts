import type { Db } from '../postgres/connect.js';
import type { SqlStatement } from './split.js';
import type { PreparedMigration, ExecutionSettings } from './execute.js';
import { StatementPipeline, sendPipeline, type PipelineItem } from './pipeline.js';
import { Interrupted, StepFailure, sleep } from './sendStep.js';
import { pollWhileRunning, type StatementWatch } from './watch.js';
import { now, type EventStream } from './events.js';
import { LOCK_NOT_AVAILABLE, QUERY_CANCELED, isConnectionLoss } from './failure.js';

// An atomic migration in one round trip: BEGIN, the bookkeeping row, a savepoint per step, the
// statements, the row's completion and COMMIT go out together as a pipeline, and the answers
// stream back statement by statement. A lock timeout rolls back to the failing step's savepoint
// and sends the rest again from that step, so a retry repeats only that step.

interface Item extends PipelineItem {
  /** The migration's statement this item runs; control items (BEGIN, SAVEPOINT, COMMIT) have none. */
  statement?: SqlStatement;
  step?: number;
}

const esc = (s: string) => `'${s.replace(/'/g, "''")}'`;

export class MigrationSender {
  private cancelReason: 'abort' | 'victims' | undefined;

  constructor(
    private readonly db: Db,
    private readonly watch: StatementWatch,
    private readonly events: EventStream,
    private readonly settings: ExecutionSettings,
  ) {}

  /** Applies the migration and commits it with its bookkeeping row; throws Interrupted or StepFailure. */
  async apply(p: PreparedMigration, id: string): Promise<void> {
    const m = p.migration;
    const lead: Item[] = [
      { text: 'BEGIN', flush: false },
      { text: `INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name, applied_steps_count) VALUES (${esc(id)}, ${esc(m.checksum)}, now(), ${esc(m.name)}, 0)`, flush: false },
    ];
    const finish: Item[] = [
      { text: `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = ${esc(id)}`, flush: false },
      { text: 'COMMIT', flush: false },
    ];
    const attempts = new Map<number, number>();
    // After a retry the savepoint that ROLLBACK TO kept already guards the step sent first.
    let from = 0;
    let open = false;
    for (;;) {
      if (this.settings.signal?.aborted) throw new Interrupted();
      const items: Item[] = open ? [] : [...lead];
      for (let k = from; k < p.steps.length; k++) {
        // COMMIT releases the last savepoint; each other step releases the one before it.
        if (k > from) items.push({ text: 'RELEASE SAVEPOINT cm_step', flush: false }, { text: 'SAVEPOINT cm_step', flush: false });
        else if (!open) items.push({ text: 'SAVEPOINT cm_step', flush: false });
        for (const statement of p.steps[k]!.statements) items.push({ text: statement.sql, flush: true, statement, step: k });
      }
      items.push(...finish);
      const failure = await this.send(p, items);
      if (!failure) return;
      const { err, item, blockers } = failure;
      if (isConnectionLoss(err)) throw new StepFailure(err, item?.statement, blockers);
      // A statement failed under its step's savepoint: rolling back to it keeps the transaction.
      const kept = item?.step !== undefined ? await this.db.query('ROLLBACK TO SAVEPOINT cm_step').then(() => true, () => false) : false;
      if (this.cancelReason === 'abort' || this.settings.signal?.aborted) throw new Interrupted();
      if (!kept) throw new StepFailure(err, undefined, blockers, true);
      const code = (err as { code?: string }).code;
      const step = item!.step!;
      const tried = attempts.get(step) ?? 0;
      const lockTrouble = code === LOCK_NOT_AVAILABLE || (code === QUERY_CANCELED && this.cancelReason === 'victims');
      if (lockTrouble && tried < this.settings.lockRetries) {
        attempts.set(step, tried + 1);
        const first = p.steps[step]!.statements[0]!;
        this.events.emit({ type: 'retry', at: now(), name: m.name, index: first.index + 1, attempt: tried + 1, of: this.settings.lockRetries, reason: code === LOCK_NOT_AVAILABLE ? 'lock-timeout' : 'victims', blockingPids: blockers });
        await sleep(Math.min(this.settings.retryDelayMs * 2 ** tried, 10_000), this.settings.signal);
        if (this.settings.signal?.aborted) throw new Interrupted();
        from = step;
        open = true;
        continue;
      }
      throw new StepFailure(err, item!.statement, blockers);
    }
  }

  /** Sends one pipeline with its statement events and the watcher's samples; returns its failure, if any. */
  private async send(p: PreparedMigration, items: Item[]): Promise<{ err: unknown; item: Item | undefined; blockers: number[] } | undefined> {
    const name = p.migration.name;
    const count = p.statements.length;
    let blockers: number[] = [];
    let current = -1; // the item whose statement is running, as far as the answers tell
    let startedAt = 0;
    const startNext = (from: number) => {
      current = items.findIndex((it, i) => i >= from && it.statement);
      if (current < 0) return;
      const s = items[current]!.statement!;
      startedAt = performance.now();
      this.events.emit({ type: 'statement-start', at: now(), name, index: s.index + 1, count, line: s.line, sql: s.sql, pid: this.watch.enginePid });
    };
    const pipeline = new StatementPipeline(items, (i) => {
      const s = items[i]!.statement;
      if (!s) return;
      this.events.emit({ type: 'statement-end', at: now(), name, index: s.index + 1, count, durationMs: Math.round(performance.now() - startedAt) });
      startNext(i + 1);
    });
    this.cancelReason = undefined;
    const runningIndex = () => (items[current]?.statement?.index ?? p.statements[0]?.index ?? 0) + 1;
    const stopPolling = pollWhileRunning(this.watch, (sample, elapsed) => {
      if (sample.blocking.length) {
        blockers = sample.blocking;
        this.events.emit({ type: 'lock-wait', at: now(), name, index: runningIndex(), waitedMs: elapsed, blockingPids: sample.blocking });
      }
      if (sample.victims.length) {
        const longest = Math.max(...sample.victims.map((v) => v.waitedMs));
        this.events.emit({ type: 'victims', at: now(), name, index: runningIndex(), victims: sample.victims.length, longestWaitMs: longest, pids: sample.victims.map((v) => v.pid) });
        const max = this.settings.maxVictims;
        if (max !== undefined && sample.victims.length >= max && longest >= this.settings.maxVictimWaitMs && !this.cancelReason) {
          this.cancelReason = 'victims';
          void this.watch.cancel().catch(() => undefined);
        }
      }
    });
    const onAbort = () => {
      this.cancelReason = 'abort';
      void this.watch.cancel().catch(() => undefined);
    };
    this.settings.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const done = sendPipeline(this.db, pipeline);
      startNext(0);
      await done;
      return undefined;
    } catch (err) {
      return { err, item: items[pipeline.completed], blockers };
    } finally {
      stopPolling();
      this.settings.signal?.removeEventListener('abort', onAbort);
    }
  }
}
