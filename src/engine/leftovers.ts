import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { advisoryHolder } from './advisoryLock.js';

// What a run that died (kill -9, a lost SSH session) may have left on the server: a backend still
// executing the pipeline it sent (the server goes on and may commit the migration seconds later),
// Prisma's advisory lock held by that backend, and INVALID indexes from a cancelled
// CREATE INDEX CONCURRENTLY. `status` reads them so that it never says "nothing remains" while
// something does.

export interface LeftBackend {
  pid: number;
  state: string;
  query: string;
  forMs: number;
  application: string;
  /** The pid of the citadel-migrate process that opened this session. */
  runPid: number;
}

export interface Leftovers {
  /** Sessions of runs whose process is gone, by that process's pid. */
  backends: Map<number, LeftBackend>;
  /** The backend of a dead run still holding Prisma's advisory lock. */
  advisoryLock?: LeftBackend;
  /**
   * Indexes left INVALID, with the command that removes each; `rewrite`: the migration whose
   * interrupted safe form builds it (the next run --rewrite drops it and builds it again).
   */
  invalidIndexes: { name: string; drop: string; rewrite?: string }[];
  /**
   * The new column (and its trigger) of an interrupted expand-and-contract: a type change's safe form
   * stopped before its swap; `rewrite`: the migration whose next run --rewrite completes it.
   */
  expandColumns?: ExpandLeftover[];
}

export interface ExpandLeftover {
  table: string;
  column: string;
  trigger: string | null;
  rewrite?: string;
}

export async function findLeftovers(db: Pick<Db, 'query'>, deadRunPids: number[]): Promise<Leftovers> {
  // One connection runs one query at a time: in turn, not in parallel.
  const sessions = await db.query<{
    pid: number;
    state: string;
    query: string;
    for_ms: number;
    application: string;
    run_pid: number | null;
  }>(sqlFile('run_backends'));
  const holder = await advisoryHolder(db);
  const invalid = await db.query<{ name: string }>(sqlFile('rehearse_invalid_indexes'));
  const expand = await db.query<ExpandLeftover>(sqlFile('rewrite_expand_leftovers'));
  const dead = new Set(deadRunPids);
  const backends = new Map<number, LeftBackend>();
  for (const r of sessions.rows) {
    if (r.run_pid === null || !dead.has(r.run_pid)) continue;
    const b: LeftBackend = {
      pid: r.pid,
      state: r.state,
      query: r.query,
      forMs: Number(r.for_ms),
      application: r.application,
      runPid: r.run_pid,
    };
    // The session running the migration (active or holding a transaction) says the most.
    const known = backends.get(r.run_pid);
    if (!known || (known.state === 'idle' && b.state !== 'idle')) backends.set(r.run_pid, b);
  }
  const held = holder
    ? sessions.rows.find((r) => r.pid === holder.pid && r.run_pid !== null && dead.has(r.run_pid))
    : undefined;
  const advisoryLock = held
    ? {
        pid: held.pid,
        state: held.state,
        query: held.query,
        forMs: Number(held.for_ms),
        application: held.application,
        runPid: held.run_pid!,
      }
    : undefined;
  const quote = (n: string) =>
    n
      .split('.')
      .map((p) => `"${p.replace(/"/g, '""')}"`)
      .join('.');
  return {
    backends,
    ...(advisoryLock ? { advisoryLock } : {}),
    invalidIndexes: invalid.rows.map((r) => ({
      name: r.name,
      drop: `DROP INDEX CONCURRENTLY IF EXISTS ${quote(r.name)};`,
    })),
    ...(expand.rows.length ? { expandColumns: expand.rows } : {}),
  };
}

const secs = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

/** One sentence about a dead run's backend that is still at work. */
export function describeLeftBackend(b: LeftBackend, atomic: boolean | undefined): string {
  const doing =
    b.state === 'active'
      ? `still executing \`${b.query.slice(0, 80)}\` (for ${secs(b.forMs)})`
      : `${b.state} (for ${secs(b.forMs)})`;
  const then =
    atomic === false
      ? 'what it commits stays'
      : b.state === 'active'
        ? 'the migration commits (applied) if it finishes, or rolls back (pending)'
        : 'the migration rolls back (pending) when that session ends';
  return `the run that began it (pid ${b.runPid}) is gone, but the server is ${doing} on its backend pid ${b.pid}: ${then}; run \`status\` again, or stop it with \`citadel-migrate kill ${b.pid} --terminate\``;
}
