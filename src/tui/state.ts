// The console's data as plain objects. Panes render from these and nothing else, so each pane can be
// shown (and tested) from a hand-made state, and the controller is the only thing that talks to the server.
import type {
  MigrationState,
  RunningInfo,
  AdvisoryHolder,
  MigrationError,
  ReplicationHealth,
} from '../operations/types.js';

export type ConsoleMode = 'live' | 'demo' | 'rehearsal' | 'plan';

/** A source that has not landed in this build, or failed: the pane says so instead of inventing data. */
export interface Availability {
  available: boolean;
  /** Why not (shown in the pane): "not available yet", "monitor reconnecting…". */
  note?: string;
}

export interface HeaderState {
  /** database@host, redacted. */
  target: string;
  /** e.g. "PG 15.18", null until connected. */
  server: string | null;
  mode: ConsoleMode;
  user: string;
}

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'manual' | 'confirmed' | 'running';

export interface ChecklistItemView {
  id: string;
  title: string;
  status: CheckStatus;
  evidence?: string;
  /** The runbook action that does this item (a runs it). */
  action?: string;
  /** The runbook's group (environment, backup, window, team): a short pane shows one group at a time. */
  group?: string;
}

export interface ChecklistState extends Availability {
  items: ChecklistItemView[];
}

export type MigrationRowState = MigrationState | 'running' | 'interrupted';

export interface MigrationView {
  name: string;
  state: MigrationRowState;
  /** The running statement (1-based index of count). */
  statement?: { index: number; count: number; line: number; sql: string };
  /** ms since the migration started (running) or how long it took (finished in this session). */
  durationMs?: number;
  /** The guide's estimate, minutes. */
  estimate?: { minMinutes: number; maxMinutes: number };
  error?: MigrationError;
  /** The running statement waits for a lock. */
  lockWait?: { waitedMs: number; blockingPids: number[] };
  /** How far the running statement is: an index build's phase, a rewrite's measure (engine/measure.ts). */
  progress?: {
    phase: string;
    percent: number | null;
    etaMs: number | null;
    /** The ETA is what `rehearse --with-data` measured for this statement (rehearsedMs), less the time it has run. */
    rehearsedMs?: number;
  };
  /** The run holds before more of it: what is over its limit. */
  holding?: string;
  /** Application sessions queued behind the running statement (seen at `at`). */
  queued?: { sessions: number; longestWaitMs: number; at: number };
  note?: string;
  hasDown?: boolean;
  /** Another terminal's run executes it: its backend, phase and percent. */
  runner?: RunningInfo;
}

export interface MigrationsState extends Availability {
  items: MigrationView[];
  /** A run started from this console is going. */
  running: boolean;
  /** Someone else holds Prisma's advisory lock (another console, a prisma migrate deploy). */
  otherRunner?: AdvisoryHolder | null;
  /** Why runs wait (the demo's application still loading its data), shown instead of running. */
  hold?: string | null;
  /** The replay-lag limit of this console's running run, in words (L changes it). */
  lagLimit?: string | null;
  /** Why nothing may be written (no Prisma project: the bundled runbook is only shown). */
  noProject?: string | null;
  /** What `status` says beside the table: the wrong folder, a pooler, what a dead run left on the server. */
  notes?: string[];
}

/**
 * One session of the blocker tree, flattened with its depth (0 = a root blocker); or (kind 'risk')
 * a session that holds a lock the next or running migration needs, though nothing waits yet.
 */
export interface LockRow {
  kind?: 'wait' | 'risk';
  pid: number;
  depth: number;
  user: string;
  application: string;
  state: string;
  mode?: string;
  relation?: string;
  /** How long it has waited for its lock, ms (waiters only). */
  waitingMs?: number;
  /** Age of its transaction, ms. */
  xactAgeMs?: number;
  query: string;
  blockingPids: number[];
  /** Risk rows: the lock it holds that the migration needs ("RowExclusive on users"), and which migration. */
  holds?: string;
  blocks?: string;
}

export interface LocksState extends Availability {
  rows: LockRow[];
}

export interface IndexBuild {
  pid: number;
  index: string;
  relation?: string;
  phase: string;
  percent: number | null;
}

export interface GaugesState extends Availability {
  dbBytes?: number;
  /** Growth since the console started, bytes. */
  growthBytes?: number;
  /** Percent free of the server's data directory, null when it cannot be known. */
  diskFreePercent?: number | null;
  diskNote?: string;
  /** Why the database's size is not known (its last measure failed). */
  sizeNote?: string;
  indexBuilds: IndexBuild[];
  connections?: { application: string; count: number }[];
  stale?: boolean;
  /** Standbys, slots and WAL (monitor/replication.ts), when read. */
  replication?: ReplicationHealth;
}

export type MessageLevel = 'info' | 'ok' | 'warn' | 'error';

export interface ConsoleState {
  header: HeaderState;
  checklist: ChecklistState;
  migrations: MigrationsState;
  locks: LocksState;
  gauges: GaugesState;
  /** result: the outcome of the DBA's own action, kept until the next key (progress does not replace it). */
  message: { text: string; level: MessageLevel; result?: boolean } | null;
  /** Something the console is doing right now (backup, verify, kill…), shown with a spinner. */
  busy: string | null;
}

export const notAvailable = (what: string): Availability => ({ available: false, note: `${what}: not available yet` });

export function emptyState(header: HeaderState): ConsoleState {
  return {
    header,
    checklist: { ...notAvailable('checklist'), items: [] },
    migrations: { available: false, note: 'reading migrations…', items: [], running: false },
    locks: { ...notAvailable('lock monitor'), rows: [] },
    gauges: { ...notAvailable('size monitor'), indexBuilds: [] },
    message: null,
    busy: null,
  };
}
