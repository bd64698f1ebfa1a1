// A stop (Ctrl-C, SIGTERM, a hang-up) cancels the running statement through the watcher session and
// waits for the engine to roll back. When the path to the server has stalled, neither answer ever
// comes: after a deadline the run is abandoned, and a new session reads back what the server
// committed, so the DBA is told the truth and gets the prompt back.
import { connect, type Db } from '../postgres/connect.js';
import { readHistory, type HistoryRow } from '../runbook/history.js';
import { UserError } from '../errors.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { Target } from '../postgres/target.js';

/** How long a stopped command may take to stop by itself. */
export const STOP_DEADLINE_MS = 4_000;
/** For the new session that reads back what was committed (connect, then the query). */
const READ_BACK_MS = 1_500;

/** The work's result, or onStall's when the signal fired and the work did not end within ms. */
export async function withStopDeadline<T>(
  signal: AbortSignal | undefined,
  work: Promise<T>,
  onStall: () => Promise<T>,
  ms = STOP_DEADLINE_MS,
): Promise<T> {
  if (!signal) return work;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stalled = new Promise<'stalled'>((resolve) => {
    onAbort = () => (timer = setTimeout(() => resolve('stalled'), ms));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const first = await Promise.race([work, stalled]);
    if (first !== 'stalled') return first as T;
    // The work may still end later; its outcome no longer matters to anyone.
    work.catch(() => undefined);
    return await onStall();
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** p, or a rejection once ms have passed without its answer (a session that may have stalled). */
export const within = <T>(ms: number, p: Promise<T>) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer')), ms).unref())]);

/** The names among `names` that the server has recorded as applied, or undefined if it cannot be asked. */
export async function committedOf(target: Target, names: string[]): Promise<Set<string> | undefined> {
  const rows = await historyReadBack(target);
  if (!rows) return undefined;
  const applied = new Set(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => r.migration_name));
  return new Set(names.filter((n) => applied.has(n)));
}

/** `_prisma_migrations` as a new session reads it, or undefined if the server cannot be asked in time. */
export function historyReadBack(target: Target): Promise<HistoryRow[] | undefined> {
  return readBack(target, readHistory);
}

/** What `read` answers on a new session, or undefined if the server cannot be asked in time. */
export async function readBack<T>(target: Target, read: (db: Db) => Promise<T>): Promise<T | undefined> {
  try {
    const db = await within(
      READ_BACK_MS,
      connect(target, { applicationName: 'citadel-migrate read-back', connectTimeoutMs: READ_BACK_MS }),
    );
    try {
      return await within(READ_BACK_MS, read(db));
    } finally {
      void db.end().catch(() => undefined);
    }
  } catch {
    return undefined;
  }
}

/** For a backend that leaves at once, a moment; the sentence says so if one is still listed after it. */
const BACKENDS_GONE_MS = 800;

/**
 * Ends the backends of an abandoned run (its own sessions, whose answers stopped coming), from a
 * new session; true once the server lists none of them, false if it could not be asked or one stays.
 */
export async function endOwnBackends(target: Target, pids: number[]): Promise<boolean> {
  if (!pids.length) return true;
  const gone = await readBack(target, async (db) => {
    await db.query(sqlFile('end_own_backends'), [pids]);
    const t0 = Date.now();
    for (;;) {
      const left = await db.query(sqlFile('own_backends_left'), [pids]);
      if (!left.rowCount) return true;
      if (Date.now() - t0 > BACKENDS_GONE_MS) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  return gone ?? false;
}

/** The stop of a command that only reads: at once (its sessions may have stalled), nothing to undo. */
export function stopReading<T>(
  signal: AbortSignal | undefined,
  work: Promise<T>,
  command: string,
  sentence?: string,
): Promise<T> {
  const stopped = async (): Promise<T> => {
    throw new UserError(
      sentence ??
        `Stopped before ${command} had its answer from the server; nothing was changed (${command} only reads).`,
      'interrupted',
    );
  };
  return withStopDeadline(signal, work, stopped, 0);
}

/**
 * The stop of a command that writes its bookkeeping in one transaction (rollback, skip): the work
 * has the deadline to end by itself (cancelled, rolled back, or done); after it, `readBack` says
 * from a new session where the migration stands.
 */
export function stopWriting<T>(
  signal: AbortSignal | undefined,
  work: Promise<T>,
  readBack: (rows: HistoryRow[]) => string,
  target: Target,
  /** The command's backends (pg_backend_pid()), ended before the read-back: a stalled one may hold locks. */
  backends: () => number[] = () => [],
): Promise<T> {
  const wait = `${STOP_DEADLINE_MS / 1000} s`;
  const stalled = async (): Promise<T> => {
    await endOwnBackends(target, backends());
    const rows = await historyReadBack(target);
    const said = rows
      ? `Stopped without an answer from the server within ${wait}; read back from a new session: ${readBack(rows)}.`
      : `Stopped without an answer from the server within ${wait}, and a new session could not ask it: run \`citadel-migrate status\` once it answers.`;
    throw new UserError(said, 'interrupted');
  };
  // Ended by itself after the stop (cancelled, most likely): what happened is read back all the same.
  const ended = work.catch(async (err: unknown) => {
    if (!signal?.aborted) throw err;
    const rows = await historyReadBack(target);
    if (!rows) throw err;
    throw new UserError(`Stopped: ${readBack(rows)} (read back from a new session).`, 'interrupted');
  });
  return withStopDeadline(signal, ended, stalled);
}
