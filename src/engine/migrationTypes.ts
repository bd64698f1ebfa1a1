import type { LocalMigration } from '../runbook/folder.js';
import type { SqlStatement } from './split.js';
import type { Step } from './steps.js';
import type { MigrationError, RunMode } from './events.js';
import type { LockPolicy } from './lockPolicy.js';
import type { SessionSettings } from './session.js';
import type { HoldPolicy } from './hold.js';

// The shapes the engine's parts pass to each other (preparing, sending, supervising, recovering
// after a lost session). They live apart from the modules that run migrations so those modules
// can share them without importing one another in a circle.

/** A migration parsed and cut into steps before anything runs (a syntax error fails the run up front). */
export interface PreparedMigration {
  migration: LocalMigration;
  statements: SqlStatement[];
  steps: Step[];
  /** One transaction for the whole script: false when it has CONCURRENTLY/VACUUM-like statements or its own BEGIN/COMMIT. */
  atomic: boolean;
  /** The author wrote BEGIN/COMMIT: the script runs as written, statement by statement. */
  ownTransactions: boolean;
  /** Batched backfills (batch.ts): statement index -> batch size. The migration is then not atomic. */
  batches?: Map<number, number>;
}

export interface MigrationResult {
  name: string;
  outcome: 'applied' | 'failed' | 'skipped' | 'not-run';
  durationMs: number;
  statements: number;
  atomic: boolean;
  error?: MigrationError;
  /** Set when the run was interrupted while this migration ran. */
  interrupted?: boolean;
}

export interface ExecutionSettings {
  mode: RunMode;
  /** How locks are waited for: timeouts, giving way to the application, retries (lockPolicy.ts). */
  lock: LockPolicy;
  /** The settings set again for every migration and the role its bookkeeping runs as. */
  session: SessionSettings;
  signal?: AbortSignal;
  /** Hold, don't abort: checked between the statements of a non-atomic migration (hold.ts). */
  hold?: HoldPolicy;
  /** A short hint for a failure, in the guide's terms. */
  hintFor: (
    err: unknown,
    statement: SqlStatement | undefined,
    blockers: number[],
    migration: string,
  ) => Promise<string | undefined>;
}
