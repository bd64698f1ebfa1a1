// What the console's actions, details and runner need of the controller, as an interface: they
// depend on this and the controller implements it, so none of them imports the controller (no
// import circle between controller, actions, details and runner).
import type { Workspace } from '../operations/workspace.js';
import type { Ask } from '../operations/confirm.js';
import type { HoldLimits } from '../operations/hold.js';
import type {
  Db,
  EventStream,
  MigrationsFolder,
  Monitor,
  RunbookManifest,
  MonitorSnapshot,
} from '../operations/types.js';
import type { ConsoleMode, ConsoleState, MessageLevel } from './state.js';
import type { ChecklistResults } from '../operations/consoleReads.js';
import type { RiskWatch } from './riskWatch.js';
import type { PlanCache } from './planCache.js';

export interface HostOptions {
  mode: ConsoleMode;
  backupDir?: string;
  lockTimeoutMs?: number;
  lockRetries?: number;
  lockWaitLimitMs?: number;
  statementTimeoutMs?: number;
  /** --max-lag, --max-archive-backlog, --max-hold: each run starts with a copy, which L changes. */
  holdLimits?: HoldLimits;
}

export interface Verification {
  at: Date;
  checked: string[];
  missing: string[];
  integrity: string;
  findings: string[];
}

export interface ConsoleHost {
  readonly opts: HostOptions;
  readonly ctx: Workspace;
  readonly events: EventStream;
  readonly folder: MigrationsFolder | undefined;
  readonly manifest: RunbookManifest | undefined;
  readonly monitor: Monitor | undefined;
  readonly statusDb: Db | undefined;
  readonly lastSnapshot: MonitorSnapshot | undefined;
  readonly checklistResults: ChecklistResults;
  readonly risks: RiskWatch;
  readonly plans: PlanCache;
  readonly ownPids: Set<number>;
  /** limits: this run's hold limits (L changes them for this run only). */
  run: { abort: AbortController; done: Promise<void>; enginePid?: number; limits?: HoldLimits } | undefined;
  lastVerification: Verification | undefined;
  /** An operation's question as a dialog that opens on Cancel. */
  ask: Ask;
  getState(): ConsoleState;
  update(fn: (s: ConsoleState) => ConsoleState, data?: boolean): void;
  /** result: the DBA's own action's outcome, kept on the message line until the next key. */
  say(text: string, level?: MessageLevel, opts?: SayOptions): void;
  setBusy(text: string | null): void;
  refreshStatus(): Promise<void>;
  /** sizes: the Disk pane's size is measured with it (after something that changes it), so the two panes agree. */
  refreshChecklist(opts?: { sizes?: boolean }): Promise<void>;
  /** Runs exactly these migrations; the engine refuses if they are no longer the next pending ones. */
  startRun(names: string[]): void;
  /** Runs the safe form of exactly these migrations (`run --rewrite`), recorded as written. */
  startRewriteRun(names: string[]): void;
  endRun(): void;
}

export interface SayOptions {
  result?: boolean;
}

/** How long a message stays on the message line when nothing replaces it. */
export const MESSAGE_TTL_MS: Record<MessageLevel, number> = { info: 10_000, ok: 20_000, warn: 30_000, error: 60_000 };

export interface ControllerOptions extends HostOptions {
  ctx: Workspace;
  /** Monitor refresh, ms (default 1000). */
  refreshMs?: number;
  /** Shown instead of the connected database (REHEARSAL: the copy's origin, so nobody mistakes it for the target). */
  targetLabel?: string;
  /** The console's session, already being opened (tui/session.ts) while the console's modules load. */
  session?: Promise<Db>;
}
