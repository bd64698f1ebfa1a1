import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { indexBuildFromRow } from '../monitor/progress.js';

export interface Victim {
  pid: number;
  application: string;
  waitedMs: number;
}

export interface WatchSample {
  blocking: number[];
  victims: Victim[];
  /** The statement builds an index: pg_stat_progress_create_index's phase and an overall percent. */
  indexBuild?: { phase: string; percent: number | null };
  /** The server's WAL position in bytes: what a rewrite wrote is its growth since the statement began. */
  walBytes?: number;
  /** The table the statement holds ACCESS EXCLUSIVE (the one a rewrite rewrites) and its size with its indexes. */
  rewrite?: { relation: string; bytes: number };
}

/**
 * The second session of a run: it watches the statement running on the first (who blocks it,
 * who queues behind it) and cancels it when asked. It never opens a transaction, so a
 * CREATE INDEX CONCURRENTLY on the first session never waits for it.
 */
export class StatementWatch {
  constructor(
    private readonly db: Db,
    readonly enginePid: number,
  ) {}

  // A cancel can be asked while a sample is under way: one query at a time on this session, in
  // the order asked (node-postgres warns when a second query is handed to a busy client).
  private queue: Promise<unknown> = Promise.resolve();
  private serially<T>(query: () => Promise<T>): Promise<T> {
    const next = this.queue.then(query, query);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every sample and cancel asked so far is done (before the session is used otherwise). */
  async settled(): Promise<void> {
    await this.queue;
  }

  async sample(): Promise<WatchSample> {
    type Row = {
      blocking: number[];
      victims: Victim[];
      index_build: Record<string, unknown> | null;
      wal_bytes: number | null;
      rewrite: { relation: string; bytes: number } | null;
    };
    const r = await this.serially(() =>
      this.db.query<Row>(sqlFile('statement_blockers_and_victims'), [this.enginePid]),
    );
    const row = r.rows[0];
    const build = row?.index_build ? indexBuildFromRow(row.index_build) : undefined;
    return {
      blocking: row?.blocking ?? [],
      victims: row?.victims ?? [],
      ...(build ? { indexBuild: { phase: build.phase, percent: build.percent } } : {}),
      ...(row?.wal_bytes != null ? { walBytes: Number(row.wal_bytes) } : {}),
      ...(row?.rewrite ? { rewrite: { relation: row.rewrite.relation, bytes: Number(row.rewrite.bytes) } } : {}),
    };
  }

  async cancel(): Promise<void> {
    await this.serially(() => this.db.query('SELECT pg_cancel_backend($1)', [this.enginePid]));
  }

  async close(): Promise<void> {
    await this.db.end().catch(() => undefined);
  }
}

/**
 * The first look at a statement: before it, the first attempt's 200 ms lock_timeout already bounds
 * any wait, and the short statements of a pipelined run end unsampled (no load on the server).
 */
export const FIRST_SAMPLE_MS = 150;

/** How often a statement that waits for a lock (or has sessions queued behind it) is looked at. */
export const FAST_POLL_MS = 50;

/**
 * Polls while a statement runs longer than `afterMs`; calls onSample with each sample. Often while
 * it waits for a lock or has sessions behind it (the victim budget is a few samples long), every
 * 100 ms for its first seconds, then every 500 ms (a long index build needs no more). Returns a
 * stop function. Samples never overlap, and a failed sample is skipped, not fatal.
 */
export function pollWhileRunning(
  watch: StatementWatch,
  onSample: (s: WatchSample, elapsedMs: number) => void,
  afterMs = FIRST_SAMPLE_MS,
): () => void {
  const t0 = Date.now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped) return;
    let busy = true;
    try {
      const s = await watch.sample();
      busy = s.blocking.length > 0 || s.victims.length > 0;
      if (!stopped) onSample(s, Date.now() - t0);
    } catch {
      // the watcher's own connection trouble must not fail the migration
    }
    if (!stopped) timer = setTimeout(tick, busy ? FAST_POLL_MS : Date.now() - t0 < 2000 ? 100 : 500);
  };
  timer = setTimeout(tick, afterMs);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
