import { PRISMA_ADVISORY_LOCK } from '../engine/advisoryLock.js';

/** A session of a lock wait chain: a waiter, a blocker, or both. */
export interface LockSession {
  pid: number;
  /** Who it waits for (empty for a session that only blocks). */
  blockingPids: number[];
  user: string;
  application: string;
  clientAddr: string | null;
  database: string;
  backendType: string;
  /** active, idle in transaction, idle in transaction (aborted), ... */
  state: string;
  query: string;
  /** Age of its open transaction, ms (null: no transaction). */
  xactAgeMs: number | null;
  /** How long it has been in its state, ms: for idle in transaction, how long it has sat idle. */
  stateAgeMs: number | null;
  /** The lock it waits for (waiters only). */
  wanted: WantedLock | null;
  /** Modes it holds on objects that other sessions of the chain wait for. */
  heldModes: string[];
  /** What the sessions it blocks wait for ("users", "advisory lock ..."). */
  blocksOn: string[];
}

export interface WantedLock {
  lockType: string;
  mode: string;
  /** The table (or index, sequence) concerned, when there is one. */
  relation: string | null;
  /** What it waits for, in words: "users", "advisory lock 72707369 (Prisma migrate)", ... */
  object: string;
  waitingMs: number | null;
}

/** The `locks --json` entry of DESIGN.md section 2, plus a few more facts. */
export interface LockWait {
  pid: number;
  blockingPids: number[];
  mode: string;
  relation: string | null;
  object: string;
  lockType: string;
  waitingMs: number | null;
  xactAgeMs: number | null;
  state: string;
  query: string;
  application: string;
  user: string;
  clientAddr: string | null;
}

export interface LockGraph {
  sessions: LockSession[];
}

type Row = Record<string, any>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function lockSessionFromRow(r: Row): LockSession {
  const wanted: WantedLock | null = r.wanted_locktype
    ? {
        lockType: r.wanted_locktype,
        mode: r.wanted_mode,
        relation: r.wanted_relation ?? r.row_lock_relation ?? null,
        object: describeLockObject(r),
        waitingMs: num(r.waiting_ms),
      }
    : null;
  return {
    pid: Number(r.pid),
    blockingPids: (r.blocking_pids ?? []).map(Number),
    user: r.user ?? '',
    application: r.application ?? '',
    clientAddr: r.client_addr ?? null,
    database: r.database ?? '',
    backendType: r.backend_type ?? '',
    state: r.state ?? '',
    query: r.query ?? '',
    xactAgeMs: num(r.xact_age_ms),
    stateAgeMs: num(r.state_age_ms),
    wanted,
    heldModes: r.held_modes ? String(r.held_modes).split(',') : [],
    blocksOn: [],
  };
}

/** The locked object in a DBA's words. */
export function describeLockObject(r: Row): string {
  switch (r.wanted_locktype) {
    case 'relation':
      return r.wanted_relation ?? 'a relation of another database';
    case 'tuple':
      return `a row of ${r.wanted_relation ?? 'a table'}`;
    case 'transactionid':
      return r.row_lock_relation
        ? `a row of ${r.row_lock_relation} (transaction ${r.wanted_transactionid})`
        : `transaction ${r.wanted_transactionid}`;
    case 'virtualxid':
      return `the end of transaction ${r.wanted_virtualxid}`;
    case 'advisory': {
      const key = advisoryKey(Number(r.wanted_classid), Number(r.wanted_objid), Number(r.wanted_objsubid));
      return key === String(PRISMA_ADVISORY_LOCK) ? `advisory lock ${key} (Prisma migrate)` : `advisory lock ${key}`;
    }
    case 'extend':
      return `extending ${r.wanted_relation ?? 'a relation'}`;
    default:
      return String(r.wanted_locktype);
  }
}

/** pg_advisory_lock(bigint) shows as classid:objid with objsubid 1; (int, int) keys with objsubid 2. */
export function advisoryKey(classid: number, objid: number, objsubid: number): string {
  if (objsubid === 2) return `(${classid}, ${objid})`;
  const key = BigInt.asIntN(64, (BigInt(classid) << 32n) | BigInt(objid));
  return String(key);
}

export function lockGraph(rows: Row[]): LockGraph {
  const sessions = rows.map(lockSessionFromRow);
  const byPid = new Map(sessions.map((s) => [s.pid, s]));
  for (const waiter of sessions) {
    for (const b of waiter.blockingPids) {
      const blocker = byPid.get(b);
      const what = waiter.wanted?.object;
      if (blocker && what && !blocker.blocksOn.includes(what)) blocker.blocksOn.push(what);
    }
  }
  return { sessions };
}

/** The waiting sessions, as `locks --json` lists them. */
export function lockWaits(graph: LockGraph): LockWait[] {
  return graph.sessions
    .filter((s) => s.wanted || s.blockingPids.length > 0)
    .map((s) => ({
      pid: s.pid,
      blockingPids: s.blockingPids,
      mode: s.wanted?.mode ?? '',
      relation: s.wanted?.relation ?? null,
      object: s.wanted?.object ?? '',
      lockType: s.wanted?.lockType ?? '',
      waitingMs: s.wanted?.waitingMs ?? null,
      xactAgeMs: s.xactAgeMs,
      state: s.state,
      query: s.query,
      application: s.application,
      user: s.user,
      clientAddr: s.clientAddr,
    }));
}

/** The sessions that block someone, the ones a DBA may cancel or terminate. */
export function blockers(graph: LockGraph): LockSession[] {
  const blocking = new Set(graph.sessions.flatMap((s) => s.blockingPids));
  return graph.sessions.filter((s) => blocking.has(s.pid));
}

/** A session of the tree with its depth (0 = a root blocker), in display order. */
export interface LockTreeRow {
  session: LockSession;
  depth: number;
  /** Drawing prefix for text output, e.g. "│  └─ ". */
  prefix: string;
  /** Continuation prefix for a second line of the same row (the query). */
  continuation: string;
  /** Already shown above (a session waiting for two blockers appears under both). */
  repeated: boolean;
}

/**
 * The blocker → waiters tree. Roots are sessions that block others without waiting themselves;
 * in a wait cycle (a deadlock the server has not resolved yet) the lowest pid stands in as root.
 */
export function lockTree(graph: LockGraph): LockTreeRow[] {
  const byPid = new Map(graph.sessions.map((s) => [s.pid, s]));
  const waitersOf = new Map<number, number[]>();
  for (const s of graph.sessions) {
    for (const b of s.blockingPids) waitersOf.set(b, [...(waitersOf.get(b) ?? []), s.pid]);
  }
  const rows: LockTreeRow[] = [];
  const shown = new Set<number>();
  const visit = (pid: number, depth: number, lead: string, last: boolean, path: Set<number>) => {
    const session = byPid.get(pid) ?? placeholder(pid);
    const repeated = shown.has(pid);
    const branch = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    const below = depth === 0 ? '' : last ? '   ' : '│  ';
    const children = repeated || path.has(pid) ? [] : (waitersOf.get(pid) ?? []).slice().sort((a, b) => a - b);
    rows.push({
      session,
      depth,
      prefix: lead + branch,
      continuation: lead + below + (children.length ? '│  ' : '   '),
      repeated,
    });
    shown.add(pid);
    const nextPath = new Set(path).add(pid);
    children.forEach((c, i) => visit(c, depth + 1, lead + below, i === children.length - 1, nextPath));
  };
  const roots = graph.sessions.filter((s) => s.blockingPids.length === 0 && waitersOf.has(s.pid)).map((s) => s.pid);
  // Blockers that pg_stat_activity no longer lists (ended between the two reads) are roots too.
  for (const b of waitersOf.keys()) if (!byPid.has(b) && !roots.includes(b)) roots.push(b);
  for (const r of roots.sort((a, b) => a - b)) visit(r, 0, '', true, new Set());
  // Cycles: nothing in them is a root.
  for (const s of graph.sessions.slice().sort((a, b) => a.pid - b.pid))
    if (!shown.has(s.pid)) visit(s.pid, 0, '', true, new Set());
  return rows;
}

function placeholder(pid: number): LockSession {
  return {
    pid,
    blockingPids: [],
    user: '',
    application: '',
    clientAddr: null,
    database: '',
    backendType: '',
    state: 'gone',
    query: '',
    xactAgeMs: null,
    stateAgeMs: null,
    wanted: null,
    heldModes: [],
    blocksOn: [],
  };
}

/** Flat rows for the console's Locks pane (the shape of its LockRow). */
export function lockRows(graph: LockGraph) {
  return lockTree(graph)
    .filter((r) => !r.repeated)
    .map(({ session: s, depth }) => ({
      pid: s.pid,
      depth,
      user: s.user,
      application: s.application,
      state: s.state,
      mode: s.wanted?.mode ?? s.heldModes.join(','),
      relation: s.wanted?.relation ?? undefined,
      waitingMs: s.wanted?.waitingMs ?? undefined,
      xactAgeMs: s.xactAgeMs ?? undefined,
      query: s.query,
      blockingPids: s.blockingPids,
    }));
}
