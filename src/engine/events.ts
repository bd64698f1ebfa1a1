/**
 * What the engine tells its listeners. The console, `--json` output and the journal all consume
 * this one stream; the engine knows nothing of any of them.
 */
export type RunMode = 'live' | 'rehearsal';

export interface MigrationError {
  /** SQLSTATE, e.g. 42P01 (or LOCK_TIMEOUT_RETRIES_EXHAUSTED / INTERRUPTED for our own). */
  code: string;
  message: string;
  /** The failing statement, trimmed. */
  statement?: string;
  /** Line of the failing statement in migration.sql (1-based). */
  position?: number;
  /** What to do, in the guide's terms. */
  hint?: string;
}

/**
 * What is over its limit: the signal, its value and limit (a lag in ms or bytes, the archive's
 * backlog in segments) for the journal and the console, and the words a DBA reads.
 */
export interface HoldOver {
  signal: 'replay-lag' | 'archive-backlog' | 'unreadable';
  /** The standby that is behind (replay-lag only). */
  standby?: string;
  unit: 'ms' | 'bytes' | 'segments' | null;
  value: number | null;
  limit: number | null;
  /**
   * Held on the WAL a standby has to replay at the rate it replays (a duration limit read ahead of
   * its lag in seconds): that rate, and the limit in ms; `value` and `limit` are then bytes.
   */
  bytesPerSecond?: number;
  limitMs?: number;
  /** "standby replica-1 is 14 s behind (max 2 s)" */
  text: string;
}

export type EngineEvent =
  | {
      type: 'run-start';
      at: string;
      mode: RunMode;
      target: string;
      pending: string[];
      lockHolderPid: number;
      lockPolicy?: string;
      statementTimeout?: string;
      /** What holds the run (--max-lag, the runbook's maxLag, --max-archive-backlog), or why it is off. */
      hold?: string;
    }
  | { type: 'lock-busy'; at: string; holder: AdvisoryHolder | null; waiting: boolean }
  | { type: 'lock-taken'; at: string; pid: number; purpose: string }
  | {
      type: 'migration-start';
      at: string;
      name: string;
      index: number;
      count: number;
      statements: number;
      atomic: boolean;
    }
  | {
      type: 'statement-start';
      at: string;
      name: string;
      index: number;
      count: number;
      line: number;
      sql: string;
      pid: number;
    }
  | { type: 'statement-end'; at: string; name: string; index: number; count: number; durationMs: number; rows?: number }
  | { type: 'lock-wait'; at: string; name: string; index: number; waitedMs: number; blockingPids: number[] }
  | {
      type: 'index-progress';
      at: string;
      name: string;
      index: number;
      phase: string;
      percent: number | null;
      etaMs?: number | null;
    }
  | { type: 'victims'; at: string; name: string; index: number; victims: number; longestWaitMs: number; pids: number[] }
  | {
      type: 'retry';
      at: string;
      name: string;
      index: number;
      attempt: number;
      of: number | null;
      reason: 'lock-timeout' | 'victims';
      blockingPids: number[];
      pauseMs?: number;
    }
  | {
      type: 'migration-end';
      at: string;
      name: string;
      outcome: 'applied' | 'failed' | 'interrupted';
      durationMs: number;
      error?: MigrationError;
    }
  | { type: 'skip'; at: string; name: string; reason: string }
  /** A batched backfill's batch committed: statement `index`, rows so far, keys done in percent. */
  | {
      type: 'batch-progress';
      at: string;
      name: string;
      index: number;
      rows: number;
      percent: number;
      rowsPerSecond: number;
      etaMs: number | null;
      /** Keys in the batch just committed, and how long it took (the next one's size adapts: batch.ts). */
      batchSize?: number;
      batchMs?: number;
      /** WAL the server wrote while the batch ran, its commit included (what the standbys must replay). */
      walBytes?: number;
    }
  /** Waiting before work of `name` while a health signal is over its limit (hold.ts), every check. */
  | { type: 'hold'; at: string; name: string; reason: string; heldMs: number; over?: HoldOver }
  /**
   * The hold is over: under the limits again, `expired` (the reason still over it at --max-hold) or
   * `stopped` (the run was stopped while holding); `over`: the last reading over the limit.
   */
  | { type: 'hold-end'; at: string; name: string; heldMs: number; expired?: string; stopped?: boolean; over?: HoldOver }
  | { type: 'rollback-rows'; at: string; name: string; rows: unknown[] }
  | {
      type: 'rollback';
      at: string;
      name: string;
      kind: 'down-sql' | 'mark-rolled-back';
      outcome: 'done' | 'failed';
      removedRows?: number;
      error?: MigrationError;
    }
  | {
      type: 'run-end';
      at: string;
      outcome: 'ok' | 'failed' | 'interrupted' | 'nothing-to-do';
      applied: string[];
      failed?: string;
      durationMs: number;
    };

/** Who holds Prisma's advisory lock (another console, or a `prisma migrate deploy`). */
export interface AdvisoryHolder {
  pid: number;
  application: string;
  clientAddr: string | null;
  user: string;
  since: string | null;
  query: string;
}

export type EngineListener = (event: EngineEvent) => void;

/** A minimal typed emitter: listeners must never break the run, so their errors are swallowed. */
export class EventStream {
  private listeners = new Set<EngineListener>();
  on(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: EngineEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a broken listener (a closed screen, a full disk for the journal) must not stop a migration
      }
    }
  }
}

export const now = (): string => new Date().toISOString();

/** Why a statement was tried again, as the run's output and the console's message line say it. */
export function retryReason(reason: Extract<EngineEvent, { type: 'retry' }>['reason']): string {
  return reason === 'lock-timeout' ? 'a lock timeout' : 'giving way to queued sessions';
}
