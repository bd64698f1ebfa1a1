// Executes one step of a safe form (analysis/rewrite). Each step is short: a transactional step runs
// in a transaction of its own whose lock wait is bounded (the application queues behind a waiting
// ACCESS EXCLUSIVE request, so the wait is cut short and retried), a concurrent index build runs
// alone, and a backfill runs batch by batch. The caller records progress inside each transaction
// (`record`), so a run killed at any point resumes exactly where the server says it was.
import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { LOCK_NOT_AVAILABLE } from './failure.js';
import { runBatched, type BackfillProgress } from './batch.js';
import { EventStream } from './events.js';
import { holdWhileOver, type HoldPolicy } from './hold.js';
import { splitStatements } from './split.js';

/** A check made just before a step runs, so that a run resumed after a crash never repeats one. */
export type Guard =
  | { kind: 'constraint-exists'; table: string; name: string }
  | { kind: 'column-not-null'; table: string; column: string }
  | { kind: 'column-exists'; table: string; column: string };

export type StepAction =
  /** Plain SQL; transactional ones run in a short transaction of their own. */
  | { type: 'sql'; sql: string; transactional: boolean; skipIf?: Guard }
  /**
   * CREATE INDEX CONCURRENTLY: skipped when a valid index of that name exists; an INVALID one (left by
   * an earlier attempt that stopped) is dropped concurrently first, as PostgreSQL cannot complete it.
   */
  | { type: 'index'; sql: string; index: string; schema: string | null }
  /**
   * Existing rows get `value` (the column's DEFAULT unless said) in primary-key batches, each its own
   * short transaction, where `todo` (the column IS NULL unless said) says a row is still to do.
   */
  | {
      type: 'backfill';
      table: string;
      column: string;
      key: string;
      batchRows: number;
      value?: string;
      todo?: string;
    };

export interface TracedLock {
  relation: string;
  mode: string;
  granted: boolean;
}

export interface StepRunOptions {
  /** Each attempt's lock_timeout; 0 waits (for locks the application never conflicts with). */
  lockTimeoutMs: number;
  /** How long the attempts may go on in all before the step fails. */
  maxLockWaitMs?: number;
  signal?: AbortSignal;
  /** Runs in the step's (or batch's) transaction before COMMIT; after the statement when there is none. */
  record?: (db: Db, backfillKey?: string) => Promise<void>;
  /** Where an interrupted backfill stopped: the last key it committed. */
  after?: string | null;
  onBatch?: (rows: number, key: string) => void;
  /** The table locks the backend holds just before COMMIT (rehearsal and tests trace steps with it). */
  trace?: (locks: TracedLock[]) => void;
  /** The run's hold (--max-lag …): a backfill checks it before each batch, as run's batches do. */
  hold?: HoldPolicy;
  /** Where a backfill's batch-progress and hold events go. */
  events?: EventStream;
  /** The migration the step belongs to, and the step's number from 1: what those events name. */
  migration?: string;
  step?: number;
}

export interface StepRun {
  skipped: boolean;
  batches?: number;
  rows?: number;
}

const qualifiedIndex = (a: { index: string; schema: string | null }) =>
  (a.schema ? `"${a.schema.replace(/"/g, '""')}".` : '') + `"${a.index.replace(/"/g, '""')}"`;

export async function runStep(db: Db, action: StepAction, opts: StepRunOptions): Promise<StepRun> {
  if (action.type === 'index') return runIndex(db, action, opts);
  if (action.type === 'backfill') return runBackfill(db, action, opts);
  if (action.skipIf && (await guardHolds(db, action.skipIf))) {
    if (opts.record) await opts.record(db);
    return { skipped: true };
  }
  if (!action.transactional) {
    await db.query(`SET lock_timeout = ${opts.lockTimeoutMs}`);
    await db.query(action.sql);
    if (opts.record) await opts.record(db);
    return { skipped: false };
  }
  await inTransaction(db, opts, async () => {
    await db.query(action.sql);
  });
  return { skipped: false };
}

async function guardHolds(db: Db, g: Guard): Promise<boolean> {
  const third = g.kind === 'constraint-exists' ? g.name : g.column;
  const r = await db.query<{ done: boolean }>(sqlFile('rewrite_guard'), [g.kind, g.table, third]);
  return r.rows[0]?.done === true;
}

/** One short transaction with a bounded lock wait, retried with growing pauses while the lock is refused. */
async function inTransaction(db: Db, opts: StepRunOptions, body: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  const limit = opts.maxLockWaitMs ?? 120_000;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw stopped();
    try {
      await db.query('BEGIN');
      await db.query(`SET LOCAL lock_timeout = ${opts.lockTimeoutMs}`);
      await body();
      if (opts.record) await opts.record(db);
      if (opts.trace) await traceOwn(db, opts.trace);
      await db.query('COMMIT');
      return;
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE || Date.now() - t0 > limit) throw err;
      // Give the queue behind the refused request time to drain, with jitter so two runners never align.
      const pause = Math.min(1000, 20 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}

async function traceOwn(db: Db, trace: NonNullable<StepRunOptions['trace']>): Promise<void> {
  const r = await db.query<TracedLock>(sqlFile('backend_relation_locks'), [await backendPid(db)]);
  trace(r.rows);
}

const pids = new WeakMap<Db, number>();
export async function backendPid(db: Db): Promise<number> {
  let pid = pids.get(db);
  if (pid === undefined) {
    pid = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    pids.set(db, pid);
  }
  return pid;
}

const stopped = () => Object.assign(new Error('stopped before the next step'), { code: '57014' });

async function runIndex(db: Db, a: Extract<StepAction, { type: 'index' }>, opts: StepRunOptions): Promise<StepRun> {
  const name = qualifiedIndex(a);
  const state = (await db.query<{ valid: boolean; building: boolean }>(sqlFile('rewrite_index_state'), [name])).rows[0];
  if (state?.valid) {
    if (opts.record) await opts.record(db);
    return { skipped: true };
  }
  if (state?.building)
    throw new Error(`the index ${a.index} is being built by another session: wait for it, then run again`);
  // No lock the application takes conflicts with SHARE UPDATE EXCLUSIVE: the build may wait for it.
  await db.query('SET lock_timeout = 0');
  if (state) await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  try {
    await db.query(a.sql);
  } catch (err) {
    // A failed build leaves an INVALID index that every write keeps up to date: it goes now.
    await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`).catch(() => undefined);
    throw err;
  }
  if (opts.record) await opts.record(db);
  return { skipped: false };
}

const INTEGER_KEY = /^(smallint|integer|bigint)$/;

/**
 * Existing rows get the column's default in batches. An integer key goes through run's batch executor
 * (engine/batch.ts: key ranges, the hold between batches); any other key (a uuid, a text id) is
 * walked in key order, a batch after the last key committed, with the same hold.
 */
async function runBackfill(
  db: Db,
  a: Extract<StepAction, { type: 'backfill' }>,
  opts: StepRunOptions,
): Promise<StepRun> {
  // The application's row locks are waited for like any UPDATE's; no lock of the table conflicts.
  await db.query(`SET lock_timeout = ${opts.lockTimeoutMs}`);
  const pk = (await db.query<{ type: string }>(sqlFile('batch_primary_key'), [a.table])).rows;
  if (pk.length === 1 && INTEGER_KEY.test(pk[0]!.type)) return rangeBackfill(db, a, opts);
  return keysetBackfill(db, a, opts);
}

const backfillValue = (a: Extract<StepAction, { type: 'backfill' }>) => a.value ?? 'DEFAULT';
const backfillTodo = (a: Extract<StepAction, { type: 'backfill' }>) => a.todo ?? `${a.column} IS NULL`;

/** The progress kept for a resumed run is the last key done, whatever walked the keys. */
const lastKeyOf = (p: BackfillProgress) => (BigInt(p.doneBelow) - 1n).toString();

async function rangeBackfill(
  db: Db,
  a: Extract<StepAction, { type: 'backfill' }>,
  opts: StepRunOptions,
): Promise<StepRun> {
  const [update] = await splitStatements(
    `UPDATE ${a.table} SET ${a.column} = ${backfillValue(a)} WHERE ${backfillTodo(a)}`,
  );
  const index = (opts.step ?? 1) - 1;
  let batches = 0;
  const rows = await runBatched(db, {
    name: opts.migration ?? a.table,
    s: { ...update!, index },
    size: a.batchRows,
    // The progress goes through `save` into the safe form's own record, not a history row of batch.ts.
    rowId: '',
    from:
      opts.after != null ? { statement: index, doneBelow: (BigInt(opts.after) + 1n).toString(), rows: 0 } : undefined,
    events: opts.events ?? new EventStream(),
    hold: opts.hold,
    signal: opts.signal,
    interrupted: stopped,
    save: async (d, p) => {
      if (opts.record) await opts.record(d, lastKeyOf(p));
      if (opts.trace) await traceOwn(d, opts.trace);
    },
    saved: (p) => {
      batches++;
      opts.onBatch?.(p.rows, lastKeyOf(p));
    },
  });
  return { skipped: false, batches, rows };
}

async function keysetBackfill(
  db: Db,
  a: Extract<StepAction, { type: 'backfill' }>,
  opts: StepRunOptions,
): Promise<StepRun> {
  let last = opts.after ?? null;
  let batches = 0;
  let rows = 0;
  const events = opts.events ?? new EventStream();
  const keys = (after: boolean) =>
    `SELECT ${a.key} AS k FROM ${a.table}${after ? ` WHERE ${a.key} > $1` : ''} ORDER BY ${a.key} LIMIT ${a.batchRows}`;
  for (;;) {
    if (opts.signal?.aborted) throw stopped();
    await holdWhileOver(opts.hold, events, opts.migration ?? a.table, opts.signal);
    if (opts.signal?.aborted) throw stopped();
    let seen = 0;
    let next: string | null = null;
    let updated = 0;
    await inTransaction(
      db,
      {
        ...opts,
        record: async (d) => {
          if (opts.record && next !== null) await opts.record(d, next);
        },
      },
      async () => {
        const q =
          `WITH b AS (${keys(last !== null)}), ` +
          `u AS (UPDATE ${a.table} SET ${a.column} = ${backfillValue(a)} WHERE ${a.key} IN (SELECT k FROM b) AND (${backfillTodo(a)}) RETURNING 1) ` +
          'SELECT (SELECT max(k)::text FROM b) AS last, (SELECT count(*) FROM b)::int AS seen, (SELECT count(*) FROM u)::int AS updated';
        const r = await db.query<{ last: string | null; seen: number; updated: number }>(
          q,
          last === null ? [] : [last],
        );
        const row = r.rows[0]!;
        seen = row.seen;
        updated = row.updated;
        next = row.last;
      },
    );
    // Only what was committed counts: an attempt refused its lock changed nothing.
    rows += updated;
    if (next !== null) last = next;
    batches++;
    if (last !== null) opts.onBatch?.(rows, last);
    if (seen < a.batchRows) return { skipped: false, batches, rows };
  }
}

/**
 * The table locks another backend holds or awaits, sampled until `until` settles: how a step that runs
 * outside a transaction (an index built concurrently) is traced from a second session.
 */
export async function sampleLocks(watcher: Db, pid: number, until: Promise<unknown>): Promise<TracedLock[]> {
  const seen = new Map<string, TracedLock>();
  let done = false;
  void until.finally(() => {
    done = true;
  });
  while (!done) {
    const r = await watcher.query<TracedLock>(sqlFile('backend_relation_locks'), [pid]);
    for (const l of r.rows) seen.set(`${l.relation}/${l.mode}/${l.granted}`, l);
    await new Promise((res) => setTimeout(res, 2));
  }
  return [...seen.values()];
}
