// Which migration the Locks pane guards (the running one, else the next to run) and the tables it
// locks, read from its statements once and kept; the monitor's holders are matched against them on
// every refresh, so the pre-run risk view costs the server nothing beyond one query of the batch.
import type { MigrationsFolder, MonitorSnapshot } from '../operations/types.js';
import type { LockRow, MigrationView } from './state.js';
import { nextToRun } from '../operations/next.js';
import { blockersOf, riskRows, tablesOf, type Blocker, type MigrationTables } from './risks.js';

export class RiskWatch {
  private tables = new Map<string, MigrationTables>();
  private loading = new Set<string>();

  constructor(
    private readonly items: () => MigrationView[],
    private readonly folder: () => MigrationsFolder | undefined,
  ) {}

  /** The running migration, else the next one a run would apply. */
  target(): string | undefined {
    const items = this.items();
    return (items.find((m) => m.state === 'running') ?? nextToRun(items, 1)[0])?.name;
  }

  /** The tables of a migration, read in the background the first time (undefined until then). */
  known(name: string): MigrationTables | undefined {
    const hit = this.tables.get(name);
    if (hit || this.loading.has(name)) return hit;
    const local = this.folder()?.migrations.find((m) => m.name === name);
    if (!local) return undefined;
    this.loading.add(name);
    void tablesOf(local).then((t) => {
      this.tables.set(name, t);
      this.loading.delete(name);
    });
    return undefined;
  }

  async tablesFor(name: string): Promise<MigrationTables> {
    const local = this.folder()?.migrations.find((m) => m.name === name);
    if (!local) return new Map();
    const t = await tablesOf(local);
    this.tables.set(name, t);
    return t;
  }

  /** Locks pane rows: the sessions that hold what the guarded migration needs. */
  rows(snap: MonitorSnapshot, ownPids: Set<number>): LockRow[] {
    // No session holds a table lock for long: nothing can block, and the statements need not be
    // read (the SQL parser's cold start is ~150 ms of CPU the console's first frame would wait for).
    if (snap.stale || snap.tableLockHolders.length === 0) return [];
    const name = this.target();
    const tables = name ? this.known(name) : undefined;
    if (!name || !tables) return [];
    return riskRows(blockersOf(snap.tableLockHolders, tables, ownPids), name);
  }

  /** The sessions that would block a migration now (run dialog). */
  async blockers(name: string, snap: MonitorSnapshot | undefined, ownPids: Set<number>): Promise<Blocker[]> {
    if (!snap) return [];
    return blockersOf(snap.tableLockHolders, await this.tablesFor(name), ownPids);
  }
}
