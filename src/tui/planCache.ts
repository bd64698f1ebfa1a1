// `plan` for the run dialog, read ahead: reading the target's catalog and linting every pending
// migration takes seconds, too long to wait for after pressing r. The plan is read in the background
// whenever the migration states change, and the dialog takes the latest (or waits for the one on its way).
import type { Db, MigrationsFolder, PlanResult } from '../operations/types.js';
import type { MigrationView } from './state.js';

/** The recorded states as one string: the plan changes when one of them does. */
export const statesKey = (items: MigrationView[]): string =>
  items.map((m) => `${m.name}:${m.state === 'running' ? 'pending' : m.state}`).join(',');

export class PlanCache {
  private key = '';
  private pending: Promise<PlanResult> | undefined;
  private readAt = 0;
  private readonly abort = new AbortController();

  constructor(
    private readonly db: () => Db | undefined,
    private readonly folder: () => MigrationsFolder | undefined,
  ) {}

  /** Reads the plan again if the states changed (key: the migration states as one string). */
  refresh(key: string, maxAgeMs = Infinity): void {
    if (key === this.key && this.pending && Date.now() - this.readAt < Math.max(maxAgeMs, 1)) return;
    this.readAt = Date.now();
    this.key = key;
    const db = this.db();
    const folder = this.folder();
    if (!db || !folder) return;
    const previous = this.pending ?? Promise.resolve(undefined);
    // One at a time on the status connection: the next waits for the one running.
    this.pending = previous
      .catch(() => undefined)
      .then(async () => {
        const { readPlan } = await import('../operations/consoleReads.js');
        return readPlan(db, folder, this.abort.signal);
      });
    this.pending.catch(() => undefined);
  }

  /** The console closes: a lint on its way is ended (its squawk process would hold the exit up). */
  close(): void {
    this.abort.abort();
  }

  /**
   * The plan of the current states, read again when older than 30 s or than the last size measure
   * (sizesAt, ms): the dialog's table sizes are at most one measure old (the demo's first dialog said
   * `orders (40 kB)` for 41 MB, read ahead before the data was loaded).
   */
  get(key: string, sizesAt?: number): Promise<PlanResult> {
    this.refresh(key, sizesAt !== undefined && sizesAt > this.readAt ? 0 : 30_000);
    return this.pending ?? Promise.reject(new Error('not connected'));
  }
}
