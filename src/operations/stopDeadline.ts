// A stop (Ctrl-C, SIGTERM, a hang-up) cancels the running statement through the watcher session and
// waits for the engine to roll back. When the path to the server has stalled, neither answer ever
// comes: after a deadline the run is abandoned, and a new session reads back what the server
// committed, so the DBA is told the truth and gets the prompt back.
import { connect } from '../postgres/connect.js';
import { readHistory } from '../runbook/history.js';
import type { Target } from '../postgres/target.js';

/** How long a stopped command may take to stop by itself. */
export const STOP_DEADLINE_MS = 4_000;
/** For the new session that reads back what was committed (connect, then the query). */
const READ_BACK_MS = 1_500;

/** The work's result, or onStall's when the signal fired and the work did not end within ms. */
export async function withStopDeadline<T>(signal: AbortSignal | undefined, work: Promise<T>, onStall: () => Promise<T>, ms = STOP_DEADLINE_MS): Promise<T> {
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

const within = <T>(ms: number, p: Promise<T>) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer')), ms).unref())]);

/** The names among `names` that the server has recorded as applied, or undefined if it cannot be asked. */
export async function committedOf(target: Target, names: string[]): Promise<Set<string> | undefined> {
  try {
    const db = await within(READ_BACK_MS, connect(target, { applicationName: 'citadel-migrate read-back', connectTimeoutMs: READ_BACK_MS }));
    try {
      const rows = await within(READ_BACK_MS, readHistory(db));
      const applied = new Set(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => r.migration_name));
      return new Set(names.filter((n) => applied.has(n)));
    } finally {
      void db.end().catch(() => undefined);
    }
  } catch {
    return undefined;
  }
}
