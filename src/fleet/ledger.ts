// The fleet's ledger: which target is where, kept outside the runner so that a runner killed
// half-way leaves a fleet someone can read and resume. Two kinds: a file in the journal folder (one
// runner at a time) and a table in a PostgreSQL database (several runners, with leases).

export const TARGET_STATES = ['pending', 'running', 'applied', 'failed', 'skipped', 'refused'] as const;
export type TargetState = (typeof TARGET_STATES)[number];

/** What a fleet knows of one target; the URL itself (with any password) is never stored. */
export interface LedgerRow {
  name: string;
  /** The target's URL without its password. */
  target: string;
  server: string;
  /** 0 is the canary (when there is one); waves run one after the other. */
  wave: number;
  position: number;
  state: TargetState;
  runner?: string;
  /** The migration running now (state running), or the one that failed. */
  migration?: string;
  /** The last migration applied on the target, as the run read it back. */
  lastApplied?: string;
  /** How many migrations this fleet applied there. */
  applied?: number;
  startedAt?: string;
  durationMs?: number;
  error?: string;
  /** How many runners have claimed it (more than one: a runner died or was stopped). */
  attempts: number;
}

export interface FleetRecord {
  id: string;
  createdAt: string;
  /** Why no new target starts (the failure budget, a failed canary); set once, first reason wins. */
  stopped?: string;
  paused: boolean;
  /** Why the next wave has not started: the servers of the wave before it are not healthy yet. */
  waiting?: WaveWait;
}

/** A wave held at its gate: "standby replica-1 of server db-1:5432 is 14 s behind (max 2 s)". */
export interface WaveWait {
  wave: number;
  reason: string;
  /** When the wait began (ISO). */
  since: string;
}

/** The next wave may start only once the servers of the wave before it are healthy. */
export interface WaveGate {
  wave: number;
  /** The servers (host:port) of the wave before it; none when it is the first wave. */
  servers: string[];
}

export interface LedgerSnapshot {
  fleet: FleetRecord;
  rows: LedgerRow[];
}

/** A target taken by this runner; `takeover`: another runner had it and its lease expired (or it died). */
export interface Claimed {
  row: LedgerRow;
  takeover: boolean;
}

/**
 * claim's answer: a target, or wait (others are running in this wave), or done (nothing left, or
 * stopped), or gate: the first unfinished wave is past the one this runner has opened.
 */
export type Claim = { claimed: Claimed } | { wait: true } | { done: true } | { gate: WaveGate };

export interface FinishFields {
  state: Exclude<TargetState, 'pending' | 'running'>;
  durationMs: number;
  migration?: string;
  lastApplied?: string;
  applied?: number;
  error?: string;
}

export interface Ledger {
  /** Where it is, in words (a file's path, a redacted URL). */
  readonly where: string;
  /** Creates the fleet with its targets unless it exists; a fleet that exists keeps its states. */
  open(plan: Omit<LedgerRow, 'state' | 'attempts'>[]): Promise<void>;
  /**
   * The next target this runner may start in the current wave, under the per-server limit, if that
   * wave is not past `opened` (the last wave whose gate this runner passed); otherwise the gate.
   */
  claim(perServer: number, opened: number): Promise<Claim>;
  /** Records why the next wave waits (undefined: it no longer does). */
  waiting(wait: WaveWait | undefined): Promise<void>;
  /** Keeps this runner's leases alive (the table ledger; the file ledger has none). */
  renew(): Promise<void>;
  progress(name: string, migration: string): Promise<void>;
  finish(name: string, fields: FinishFields): Promise<void>;
  /** Back to pending: this runner stopped before the target's run began (a stop, a paused fleet). */
  release(name: string): Promise<void>;
  stop(reason: string): Promise<void>;
  pause(paused: boolean): Promise<void>;
  read(): Promise<LedgerSnapshot>;
  close(): Promise<void>;
}

/** The wave a runner works in: the first with a target not finished. */
export function currentWave(rows: LedgerRow[]): number | undefined {
  let wave: number | undefined;
  for (const r of rows)
    if ((r.state === 'pending' || r.state === 'running') && (wave === undefined || r.wave < wave)) wave = r.wave;
  return wave;
}

/** The gate of the first unfinished wave: that wave and the servers of the last wave before it. */
export function gateOf(rows: LedgerRow[], wave: number): WaveGate {
  let previous: number | undefined;
  for (const r of rows) if (r.wave < wave && (previous === undefined || r.wave > previous)) previous = r.wave;
  const servers = new Set(rows.filter((r) => r.wave === previous).map((r) => r.server));
  return { wave, servers: [...servers].sort() };
}

/** Counts per state, every state present (zero included) so that screens and JSON keep one shape. */
export function countStates(rows: LedgerRow[]): Record<TargetState, number> {
  const counts = Object.fromEntries(TARGET_STATES.map((s) => [s, 0])) as Record<TargetState, number>;
  for (const r of rows) counts[r.state]++;
  return counts;
}
