// Batched backfills: `-- citadel: batch 10000` on the line(s) before an UPDATE or DELETE in
// migration.sql makes the engine run it in primary-key ranges of that size, each range its own
// short transaction, with the hold check between them. Prisma and psql read the directive as a
// comment and run the statement whole. Each batch's transaction also writes how far it got into the
// migration's unfinished history row (logs), so a run killed with -9 resumes after the last
// committed batch, and the migration is recorded applied once, after the last one.
import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { UserError } from '../errors.js';
import type { SqlStatement } from './split.js';
import { relationOf } from './steps.js';
import { now, type EventStream } from './events.js';
import { holdWhileOver, type HoldOver, type HoldPolicy } from './hold.js';

const DIRECTIVE = /^\s*--\s*citadel:\s*batch\s+(\d+)\s*$/i;
export const PROGRESS_PREFIX = 'citadel backfill: ';

/** The batch size the comment lines just above the statement ask for, if any. */
export function batchDirective(script: string, s: Pick<SqlStatement, 'kind' | 'line'>): number | undefined {
  if (s.kind !== 'UpdateStmt' && s.kind !== 'DeleteStmt') return undefined;
  const lines = script.split('\n');
  for (let i = s.line - 2; i >= 0; i--) {
    const line = lines[i]!;
    const m = DIRECTIVE.exec(line);
    if (m) return Math.max(1, Number(m[1]));
    if (line.trim() && !line.trim().startsWith('--')) return undefined;
  }
  return undefined;
}

export interface BackfillProgress {
  statement: number;
  /** Keys below this are done. */
  doneBelow: string;
  rows: number;
  /** The batch size reached: a resumed backfill starts there, not at the directive's. */
  size?: number;
}

/**
 * How long a batch should take. The rows a batch updates stay locked until it commits, so an
 * application write to one of them waits as long as the batch runs: with GitLab's 1 s, a 3M-row
 * backfill under four writing clients made one wait 1,027 ms (bench/rewrite.bench.ts), and with 200 ms
 * a batch slowed by the load made one wait 348 ms. A commit costs a few milliseconds, so 150 ms
 * batches lose little to them, and the hold is checked more often.
 */
export const DEFAULT_BATCH_TARGET_MS = 150;
/** GitLab's batch optimizer: aim at this share of the target, grow at most 1.2x a batch. */
const TARGET_EFFICIENCY = { min: 0.9, max: 0.95 };
const MAX_MULTIPLIER = 1.2;
const MIN_MULTIPLIER = 0.1;
/** Weight of the last batch in the smoothed efficiency (one slow batch must not halve the size). */
const SMOOTHING = 0.5;
const MAX_BATCH_KEYS = 10_000_000;

/**
 * The batch size, adapted as GitLab's batched background migrations adapt theirs: the time
 * efficiency (a batch's duration over the target, smoothed) is assumed linear in the size; below
 * 0.9 the size grows toward 0.95 by at most 1.2x, above 0.95 it shrinks in proportion, and a hold
 * (a standby or the archive behind) halves it: smaller batches write less WAL between two checks.
 * After a hold it grows back no larger than the batch that preceded the hold (that one put a standby
 * over its limit) until a batch of that size has left them within it: it grows while the lag has
 * room. With a WAL budget (what the standbys replay within the limit) a batch is also kept to the
 * keys that write no more than that, at the WAL per key the last batch wrote (see held()).
 */
export class BatchTuner {
  private efficiency: number | undefined;
  private last: number | undefined;
  /** The keys one batch may take within the WAL budget, at the last batch's WAL per key. */
  private budgetKeys: number | undefined;
  /** The size of the batch before the last hold. */
  ceiling: number | undefined;
  constructor(
    public size: number,
    readonly targetMs = DEFAULT_BATCH_TARGET_MS,
  ) {
    this.size = clamp(Math.round(size));
  }
  /** A batch of `size` keys took `ms`, and wrote `walBytes` of WAL; `walBudget`: see above. */
  done(ms: number, walBytes?: number, walBudget?: number): void {
    const keys = this.size;
    this.last = keys;
    const e = ms / this.targetMs;
    this.efficiency = this.efficiency === undefined ? e : SMOOTHING * e + (1 - SMOOTHING) * this.efficiency;
    if (this.efficiency < TARGET_EFFICIENCY.min || this.efficiency > TARGET_EFFICIENCY.max) {
      const m = this.efficiency > 0 ? TARGET_EFFICIENCY.max / this.efficiency : MAX_MULTIPLIER;
      this.size = clamp(Math.round(this.size * Math.max(MIN_MULTIPLIER, Math.min(MAX_MULTIPLIER, m))));
    }
    if (this.ceiling !== undefined) this.size = Math.min(this.size, this.ceiling);
    if (walBudget !== undefined && walBytes !== undefined && walBytes > 0) {
      this.budgetKeys = clamp(Math.floor((walBudget * keys) / walBytes));
      this.size = Math.min(this.size, this.budgetKeys);
    }
  }
  /** The check before the next batch found everything within its limits: a batch at the ceiling had room. */
  passed(): void {
    if (this.ceiling !== undefined && this.last !== undefined && this.last >= this.ceiling) this.ceiling = undefined;
  }
  /**
   * The run held before the next batch. `replaying`: held on the WAL a standby had to replay at its
   * rate, the regime where a slower standby holds the run after most batches: the batch is then not
   * halved below the WAL budget (halving at each of those holds would shrink it to nothing, and
   * each hold costs a second).
   */
  held(replaying = false): void {
    if (this.last !== undefined) this.ceiling = this.last;
    const half = Math.floor(this.size / 2);
    const floor = replaying ? Math.min(this.size, this.budgetKeys ?? 0) : 0;
    this.size = clamp(Math.min(this.ceiling ?? Number.POSITIVE_INFINITY, Math.max(half, floor)));
    this.efficiency = undefined;
  }
}

const clamp = (n: number) => Math.max(1, Math.min(MAX_BATCH_KEYS, n));

export const progressText = (p: BackfillProgress) => `${PROGRESS_PREFIX}${JSON.stringify(p)}`;

export function parseProgress(logs: string | null): BackfillProgress | undefined {
  if (!logs?.startsWith(PROGRESS_PREFIX)) return undefined;
  try {
    // the first line: a failure after some batches is written below it
    return JSON.parse(logs.split('\n')[0]!.slice(PROGRESS_PREFIX.length)) as BackfillProgress;
  } catch {
    return undefined;
  }
}

/** The unfinished row of a backfill that stopped part-way, and how far it got. */
export async function resumableRow(
  db: Db,
  name: string,
  checksum: string,
): Promise<{ id: string; progress: BackfillProgress } | undefined> {
  const row = (await db.query(sqlFile('backfill_resume_row'), [name, checksum])).rows[0];
  const progress = row ? parseProgress(row.logs) : undefined;
  return row && progress ? { id: row.id, progress } : undefined;
}

/** Where the statement's top-level WHERE and RETURNING start (outside quotes, comments and parentheses). */
function clauses(sql: string): { where?: number; returning?: number } {
  const out: { where?: number; returning?: number } = {};
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      i = end < 0 ? sql.length : end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_0-9]*\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        i = end < 0 ? sql.length : end + tag.length - 1;
      }
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /[A-Za-z]/.test(c) && (i === 0 || !/[A-Za-z0-9_$]/.test(sql[i - 1]!))) {
      const word = /^[A-Za-z_]+/.exec(sql.slice(i))![0].toUpperCase();
      if (word === 'WHERE' && out.where === undefined) out.where = i;
      if (word === 'RETURNING') out.returning = i;
      i += word.length - 1;
    }
  }
  return out;
}

/** The statement restricted to keys in [$1, $2): its own condition kept whole, in parentheses. */
export function rangedSql(sql: string, key: string): string {
  const { where, returning } = clauses(sql);
  const end = returning ?? sql.length;
  const range = `${key} >= $1 AND ${key} < $2`;
  if (where === undefined) return `${sql.slice(0, end).trimEnd()} WHERE ${range} ${sql.slice(end)}`.trimEnd();
  const cond = sql.slice(where + 'WHERE'.length, end).trim();
  return `${sql.slice(0, where)}WHERE (${cond}) AND ${range} ${sql.slice(end)}`.trimEnd();
}

const INTEGER = /^(smallint|integer|bigint)$/;

/** Where the server's WAL is, in bytes: two readings around a batch give the WAL it wrote. */
const walPosition = async (db: Db) => Number((await db.query(sqlFile('wal_insert_position'))).rows[0].lsn_bytes);

/**
 * Runs statement `s` in key ranges of `size` at first, each range its own transaction that also
 * saves the progress into history row `rowId`; from `from` when resuming. The size then adapts to
 * `targetMs` per batch (BatchTuner). Returns the rows it changed.
 */
export async function runBatched(
  db: Db,
  o: {
    name: string;
    s: SqlStatement;
    size: number;
    /** How long a batch should take (DEFAULT_BATCH_TARGET_MS). */
    targetMs?: number;
    rowId: string;
    from?: BackfillProgress;
    events: EventStream;
    hold?: HoldPolicy;
    signal?: AbortSignal;
    interrupted: () => Error;
    /** Told after each committed batch (what a failure must keep for the next run). */
    saved?: (p: BackfillProgress) => void;
    /**
     * Records a batch's progress inside its transaction, instead of the history row's logs in this
     * module's format (run --rewrite keeps its own progress there).
     */
    save?: (db: Db, p: BackfillProgress) => Promise<void>;
  },
): Promise<number> {
  const table = relationOf(o.s);
  const node = o.s.ast[o.s.kind] ?? {};
  const alias: string | undefined = node.relation?.alias?.aliasname;
  const schema: string | undefined = node.relation?.schemaname;
  const qualified = schema
    ? `${db.escapeIdentifier(schema)}.${db.escapeIdentifier(table ?? '')}`
    : db.escapeIdentifier(table ?? '');
  const pk = (await db.query(sqlFile('batch_primary_key'), [qualified])).rows;
  if (!table || pk.length !== 1 || !INTEGER.test(pk[0].type))
    throw new UserError(
      `${o.name}: the batched statement at line ${o.s.line} needs a table whose primary key is one integer column (${table ?? 'no table'} has ${pk.length ? pk.map((k) => `${k.column} ${k.type}`).join(', ') : 'none'}): remove the "-- citadel: batch" line to run it whole.`,
      'bad-input',
    );
  const column = db.escapeIdentifier(pk[0].column);
  const key = `${alias ? db.escapeIdentifier(alias) : qualified}.${column}`;
  const sql = rangedSql(o.s.sql, key);
  const bounds = (await db.query(`SELECT min(${column})::text AS lo, max(${column})::text AS hi FROM ${qualified}`))
    .rows[0];
  let rows = o.from?.rows ?? 0;
  if (bounds.lo === null) return rows;
  let lo = BigInt(o.from?.doneBelow ?? bounds.lo);
  const hi = BigInt(bounds.hi);
  const t0 = performance.now();
  const rowsAtStart = rows;
  const total = Number(hi - BigInt(bounds.lo) + 1n);
  const tuner = new BatchTuner(o.from?.size ?? o.size, o.targetMs);
  while (lo <= hi) {
    if (o.signal?.aborted) throw o.interrupted();
    let over: HoldOver | undefined;
    if ((await holdWhileOver(o.hold, o.events, o.name, o.signal, (x) => (over = x))) > 0)
      tuner.held(over?.bytesPerSecond !== undefined);
    else tuner.passed();
    if (o.signal?.aborted) throw o.interrupted();
    const size = tuner.size;
    const next = lo + BigInt(size);
    const started = performance.now();
    const walBefore = await walPosition(db);
    await db.query('BEGIN');
    try {
      const r = await db.query(sql, [lo.toString(), next.toString()]);
      rows += r.rowCount ?? 0;
      const progress = { statement: o.s.index, doneBelow: next.toString(), rows, size };
      if (o.save) await o.save(db, progress);
      else await db.query(sqlFile('backfill_progress_save'), [o.rowId, progressText(progress)]);
      await db.query('COMMIT');
      o.saved?.(progress);
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    // the whole transaction, commit included: that is what holds locks and writes WAL
    const batchMs = Math.round(performance.now() - started);
    const walBytes = Math.max(0, (await walPosition(db)) - walBefore);
    tuner.done(batchMs, walBytes, o.hold?.walBudget?.());
    lo = next;
    const elapsed = performance.now() - t0;
    const done = Math.min(total, Number(lo - BigInt(bounds.lo)));
    const rate = elapsed > 0 ? ((rows - rowsAtStart) * 1000) / elapsed : 0;
    const keysPerMs =
      elapsed > 0 ? (done - Number(BigInt(o.from?.doneBelow ?? bounds.lo) - BigInt(bounds.lo))) / elapsed : 0;
    o.events.emit({
      type: 'batch-progress',
      at: now(),
      name: o.name,
      index: o.s.index + 1,
      rows,
      percent: total ? Math.min(100, (done / total) * 100) : 100,
      rowsPerSecond: Math.round(rate),
      etaMs: keysPerMs > 0 ? Math.round((total - done) / keysPerMs) : null,
      batchSize: size,
      batchMs,
      walBytes,
    });
  }
  return rows;
}
