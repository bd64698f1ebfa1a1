// Sessions that hold table locks while idle in a transaction (or in a long one): what could block a
// migration before it starts, and what still blocks a run between its lock_timeout retries.

export interface TableLockHolder {
  pid: number;
  user: string;
  application: string;
  clientAddr: string | null;
  state: string;
  query: string;
  xactAgeMs: number | null;
  stateAgeMs: number | null;
  /** The tables (and indexes) it holds locks on, with the mode ("users" → "RowExclusiveLock"). */
  locks: { relation: string; mode: string }[];
}

type Row = Record<string, any>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function holderFromRow(r: Row): TableLockHolder {
  const relations: string[] = r.relations ?? [];
  const modes: string[] = r.modes ?? [];
  return {
    pid: Number(r.pid),
    user: r.user ?? '',
    application: r.application ?? '',
    clientAddr: r.client_addr ?? null,
    state: r.state ?? '',
    query: r.query ?? '',
    xactAgeMs: num(r.xact_age_ms),
    stateAgeMs: num(r.state_age_ms),
    locks: relations.map((relation, i) => ({ relation, mode: modes[i] ?? '' })),
  };
}

// PostgreSQL's table-level lock conflicts (docs: "Explicit Locking", table 13.2), by mode name.
const MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
];
const CONFLICTS: number[][] = [
  [7],
  [6, 7],
  [4, 5, 6, 7],
  [3, 4, 5, 6, 7],
  [2, 3, 5, 6, 7],
  [2, 3, 4, 5, 6, 7],
  [1, 2, 3, 4, 5, 6, 7],
  [0, 1, 2, 3, 4, 5, 6, 7],
];

/** "ACCESS EXCLUSIVE" (analysis' spelling) or "AccessExclusiveLock" (pg_locks') as an index. */
function modeIndex(mode: string): number {
  const m = mode.replace(/\s+/g, '').toLowerCase().replace(/lock$/, '');
  return MODES.findIndex((x) => x.toLowerCase().replace(/lock$/, '') === m);
}

/** Whether a lock held in mode `held` makes a request for `wanted` wait. */
export function conflicts(held: string, wanted: string): boolean {
  const h = modeIndex(held);
  const w = modeIndex(wanted);
  return h >= 0 && w >= 0 && CONFLICTS[w]!.includes(h);
}

/** A table name as both sides write it: no quotes, no public. prefix, lower case unless it was quoted. */
export function tableKey(name: string): string {
  return name
    .split('.')
    .map((p) => (p.startsWith('"') ? p.slice(1, -1) : p.toLowerCase()))
    .filter((p, i, all) => !(i === 0 && all.length > 1 && p === 'public'))
    .join('.');
}
