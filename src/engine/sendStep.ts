import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { SqlStatement } from './split.js';
import type { Step } from './steps.js';
import type { PreparedMigration, ExecutionSettings } from './execute.js';
import type { StatementWatch } from './watch.js';
import { Supervision } from './supervise.js';
import { now, type EventStream } from './events.js';
import { LOCK_NOT_AVAILABLE, QUERY_CANCELED, isConnectionLoss } from './failure.js';

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
    /** The transaction is gone or unusable (the error came at COMMIT or before the savepoint). */
    readonly transactionLost = false,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export class StepSender {
  constructor(
    private readonly db: Db,
    private readonly watch: StatementWatch,
    private readonly events: EventStream,
    private readonly settings: ExecutionSettings,
  ) {}

  async send(p: PreparedMigration, step: Step, sql: () => string, prefix: (attempt: number) => string, inTxn: boolean, emit = true, mayRetry = true): Promise<void> {
    const name = p.migration.name;
    const count = p.statements.length;
    const first = step.statements[0]!;
    for (let attempt = 0; ; attempt++) {
      const t0 = performance.now();
      if (emit) for (const s of step.statements) this.events.emit({ type: 'statement-start', at: now(), name, index: s.index + 1, count, line: s.line, sql: s.sql, pid: this.watch.enginePid });
      const watching = new Supervision(this.watch, this.events, this.settings, () => ({ name, index: first.index + 1 }));
      let failed = false;
      let err: unknown;
      try {
        await this.db.query(prefix(attempt) + sql());
      } catch (e) {
        failed = true;
        err = e;
      } finally {
        await watching.end();
      }
      if (!failed) {
        const ms = Math.round(performance.now() - t0);
        if (emit) for (const s of step.statements) this.events.emit({ type: 'statement-end', at: now(), name, index: s.index + 1, count, durationMs: Math.round(ms / step.statements.length) });
        return;
      }
      const blockers = watching.blockers;
      if (isConnectionLoss(err)) throw new StepFailure(err, first, blockers);
      // The savepoint answers only while the transaction is open: a failed COMMIT, or an error before
      // the savepoint was set, leaves nothing to retry in.
      const open = inTxn ? await this.db.query('ROLLBACK TO SAVEPOINT cm_step').then(() => true, () => false) : true;
      const code = (err as { code?: string }).code;
      if (watching.reason === 'abort' || this.settings.signal?.aborted) throw new Interrupted();
      if (!open) throw new StepFailure(err, undefined, blockers, true);
      if (!inTxn && first.kind === 'IndexStmt' && first.ast.IndexStmt?.concurrent) await this.dropInvalidIndex(first);
      const lockTrouble = code === LOCK_NOT_AVAILABLE || (code === QUERY_CANCELED && watching.reason === 'victims');
      if (lockTrouble && mayRetry && attempt < this.settings.lockRetries) {
        this.events.emit({ type: 'retry', at: now(), name, index: first.index + 1, attempt: attempt + 1, of: this.settings.lockRetries, reason: code === LOCK_NOT_AVAILABLE ? 'lock-timeout' : 'victims', blockingPids: blockers });
        await sleep(Math.min(this.settings.retryDelayMs * 2 ** attempt, 10_000), this.settings.signal);
        if (this.settings.signal?.aborted) throw new Interrupted();
        continue;
      }
      throw new StepFailure(err, step.statements.length === 1 ? first : undefined, blockers);
    }
  }

  /** A failed or cancelled CREATE INDEX CONCURRENTLY leaves an INVALID index that IF NOT EXISTS would then skip. */
  private async dropInvalidIndex(s: SqlStatement): Promise<void> {
    const idx = s.ast.IndexStmt?.idxname as string | undefined;
    if (!idx) return;
    const r = await this.db.query<{ invalid: boolean }>(sqlFile('invalid_index'), [idx]).catch(() => undefined);
    if (r?.rows[0]?.invalid) await this.db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${this.db.escapeIdentifier(idx)}`).catch(() => undefined);
  }
}
