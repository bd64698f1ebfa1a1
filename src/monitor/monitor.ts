import type { Target } from '../postgres/target.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { EventStream } from '../engine/events.js';
import { MonitorConnection, refreshFailure } from './connection.js';
import { lockGraph, type LockGraph } from './locks.js';
import { indexBuildFromRow, MigrationProgress, type IndexBuild, type RunningMigration } from './progress.js';
import { emptySizes, measureSizes, type SizeGauges } from './sizes.js';
import { holderFromRow, type TableLockHolder } from './holders.js';
import { REPLICATION_QUERIES, replicationFromRows, WalRate, type ReplicationHealth } from './replication.js';
import {
  diskGauge,
  serverFactsFromRow,
  serverLocality,
  type DiskGauge,
  type Locality,
  type ServerFacts,
} from './disk.js';

/** After a failed size measure, the next try comes this soon instead of a whole interval later. */
const SIZES_RETRY_MS = 5000;

export interface MonitorOptions {
  /** Refresh interval of the fast figures (locks, progress, connections, disk), ms. Default 1000. */
  refreshMs?: number;
  /** Refresh interval of the sizes (pg_database_size, largest relations, WAL), ms. Default 30000. */
  sizeRefreshMs?: number;
  /** Measure sizes at all (the `locks` command does not need them). Default true. */
  sizes?: boolean;
  applicationName?: string;
}

export interface MigrationLockSession {
  pid: number;
  granted: boolean;
  application: string;
  user: string;
  clientAddr: string | null;
  state: string;
  query: string;
  since: string | null;
}

export interface ConnectionCount {
  application: string;
  state: string;
  sessions: number;
  longestInStateMs: number | null;
}

export interface MonitorSnapshot {
  /** When the figures were read (the last successful refresh). */
  at: string | null;
  /** The last refresh failed: the figures are older than they look. */
  stale: boolean;
  staleSince: string | null;
  error: string | null;
  /** Client-side time of the last fast refresh (one round trip), ms. */
  roundTripMs: number | null;
  server: { version: string; versionNum: number; maxConnections: number } | null;
  locks: LockGraph;
  /** Who holds Prisma's migration lock (a run in progress, ours or prisma's) and who waits for it. */
  migrationLock: MigrationLockSession[];
  /** The migration this console runs, from the engine's events. */
  migration: RunningMigration | null;
  indexBuilds: IndexBuild[];
  /** Sessions idle in (or long in) a transaction that hold table locks: what could block a migration. */
  tableLockHolders: TableLockHolder[];
  /** Changes when _prisma_migrations changes (null: no table yet). */
  historyFingerprint: string | null;
  connections: { total: number; max: number | null; byApplication: ConnectionCount[] };
  sizes: SizeGauges;
  disk: DiskGauge;
  /** Standbys, slots, WAL rate and archive backlog (replication.ts); null until first read. */
  replication: ReplicationHealth | null;
}

type Listener = (snapshot: MonitorSnapshot) => void;

/**
 * The pollers behind the console's Locks and Disk/size panes. The fast figures come in one round
 * trip per refresh on a session with short lock and statement timeouts, so that the monitor never
 * queues behind the migration it watches; sizes come rarely, on a second session, because
 * pg_database_size takes seconds on a large database. Both sessions reconnect by themselves.
 */
export class Monitor {
  readonly refreshMs: number;
  readonly sizeRefreshMs: number;
  private readonly fast: MonitorConnection;
  private readonly slow: MonitorConnection | undefined;
  private facts: ServerFacts | undefined;
  private locality: Locality | undefined;
  private readonly progress = new MigrationProgress();
  private readonly walRate = new WalRate();
  private state: MonitorSnapshot;
  private listeners = new Set<Listener>();
  private inFlight: Promise<MonitorSnapshot> | undefined;
  private sizesInFlight: Promise<MonitorSnapshot> | undefined;
  private running = false;
  private paused = false;
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(
    readonly target: Target,
    opts: MonitorOptions = {},
  ) {
    this.refreshMs = Math.max(100, opts.refreshMs ?? 1000);
    this.sizeRefreshMs = Math.max(1000, opts.sizeRefreshMs ?? 30_000);
    const name = opts.applicationName ?? 'citadel-migrate monitor';
    this.fast = new MonitorConnection(target, {
      applicationName: name,
      lockTimeoutMs: Math.min(200, this.refreshMs / 5),
      statementTimeoutMs: Math.min(2000, Math.max(200, this.refreshMs / 2)),
      connectTimeoutMs: Math.min(5000, Math.max(1000, this.refreshMs * 2)),
    });
    this.fast.onConnect = async (db) => {
      this.facts = serverFactsFromRow((await db.query(sqlFile('monitor_server_facts'))).rows[0]);
      // A restart may have moved the server (a failover): prove locality again.
      this.locality = await serverLocality(target, this.facts);
    };
    if (opts.sizes !== false) {
      this.slow = new MonitorConnection(target, {
        applicationName: `${name} (sizes)`,
        lockTimeoutMs: 100,
        statementTimeoutMs: Math.min(20_000, this.sizeRefreshMs / 2),
        connectTimeoutMs: 5000,
      });
    }
    this.state = {
      at: null,
      stale: false,
      staleSince: null,
      error: null,
      roundTripMs: null,
      server: null,
      locks: { sessions: [] },
      migrationLock: [],
      migration: null,
      indexBuilds: [],
      tableLockHolders: [],
      historyFingerprint: null,
      connections: { total: 0, max: null, byApplication: [] },
      sizes: emptySizes(),
      disk: { known: false, reason: 'not connected yet' },
      replication: null,
    };
  }

  /** The figures as last read (never blocks). */
  snapshot(): MonitorSnapshot {
    return { ...this.state, migration: this.progress.current ? { ...this.progress.current } : null };
  }

  /** Statement i of n and its text come from the engine's events. */
  follow(events: EventStream): () => void {
    return this.progress.follow(events);
  }

  onUpdate(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the fast figures now (one round trip); concurrent calls share one refresh. */
  refresh(): Promise<MonitorSnapshot> {
    this.inFlight ??= this.readFast().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Measures the sizes now (the DBA asked, or 30 s passed). */
  refreshSizes(): Promise<MonitorSnapshot> {
    if (!this.slow) return Promise.resolve(this.snapshot());
    this.sizesInFlight ??= this.readSizes(this.slow).finally(() => (this.sizesInFlight = undefined));
    return this.sizesInFlight;
  }

  /** Polls until stop(); listeners get every new snapshot. */
  start(listener?: Listener): void {
    if (listener) this.onUpdate(listener);
    if (this.running) return;
    this.running = true;
    this.schedule('fast', () => this.refresh(), this.refreshMs);
    // A failed measure is tried again soon: "db size ?" must not stay for the whole interval.
    if (this.slow)
      this.schedule(
        'sizes',
        () => this.refreshSizes(),
        () => (this.state.sizes.error ? Math.min(SIZES_RETRY_MS, this.sizeRefreshMs) : this.sizeRefreshMs),
      );
  }

  /** While a dialog is open the rows must not move under the cursor. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.running) void this.refresh().then(() => this.emit());
  }

  get isPaused(): boolean {
    return this.paused;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
    await Promise.all([this.fast.close(), this.slow?.close()]);
  }

  private schedule(name: string, work: () => Promise<unknown>, every: number | (() => number)): void {
    const tick = async () => {
      if (!this.running) return;
      const t0 = performance.now();
      if (!this.paused) {
        await work().catch(() => undefined);
        if (this.running && !this.paused) this.emit();
      }
      if (!this.running) return;
      const wait = Math.max(50, (typeof every === 'number' ? every : every()) - (performance.now() - t0));
      this.timers.set(name, setTimeout(tick, wait));
    };
    this.timers.set(name, setTimeout(tick, 0));
  }

  private emit(): void {
    const snap = this.snapshot();
    for (const l of this.listeners) {
      try {
        l(snap);
      } catch {
        // a broken listener must not stop the monitor
      }
    }
  }

  private async readFast(): Promise<MonitorSnapshot> {
    const t0 = performance.now();
    try {
      // Open (or reopen) first: the queries sent depend on the server version.
      if (!this.fast.connected) await this.fast.query('SELECT 1');
      const withProgress = (this.facts?.versionNum ?? 0) >= 120000;
      const files = [
        'lock_waits',
        'migration_lock_sessions',
        'connections_by_application_and_state',
        'table_lock_holders',
        'migration_history_fingerprint',
        ...(withProgress ? ['index_build_progress'] : []),
      ];
      const replicationAt = files.length;
      // the same round trip: cheap catalog reads (bench/replicas.bench.ts)
      files.push(...REPLICATION_QUERIES);
      const results = await this.fast.batch(files.map(sqlFile));
      const [locks, migrationLock, connections, holders, fingerprint] = results;
      const progress = withProgress ? results[5] : undefined;
      const replication = replicationFromRows(
        results.slice(replicationAt).map((r) => r!.rows),
        this.walRate,
      );
      const roundTripMs = performance.now() - t0;
      const byApplication = connections!.rows.map((r) => ({
        application: r.application,
        state: r.state,
        sessions: Number(r.sessions),
        longestInStateMs: r.longest_in_state_ms === null ? null : Number(r.longest_in_state_ms),
      }));
      const facts = this.facts;
      // Awaited before the new state is built: an await inside `{ ...this.state, … }` would keep the
      // state as it was before it, and drop the sizes a concurrent refresh stored meanwhile (the
      // console then showed "db size ?" until the next sizes refresh, 30 s later).
      const disk = await diskGauge(this.locality);
      this.state = {
        ...this.state,
        at: new Date().toISOString(),
        stale: false,
        staleSince: null,
        error: null,
        roundTripMs: Math.round(roundTripMs * 10) / 10,
        server: facts
          ? { version: facts.version, versionNum: facts.versionNum, maxConnections: facts.maxConnections }
          : null,
        locks: lockGraph(locks!.rows),
        migrationLock: migrationLock!.rows.map((r) => ({
          pid: Number(r.pid),
          granted: Boolean(r.granted),
          application: r.application,
          user: r.user,
          clientAddr: r.client_addr ?? null,
          state: r.state,
          query: r.query,
          since: r.since ? new Date(r.since).toISOString() : null,
        })),
        indexBuilds: progress ? progress.rows.map(indexBuildFromRow) : [],
        tableLockHolders: holders!.rows.map(holderFromRow),
        historyFingerprint: fingerprint!.rows[0]?.fingerprint ?? null,
        connections: {
          total: byApplication.reduce((n, c) => n + c.sessions, 0),
          max: facts?.maxConnections ?? null,
          byApplication,
        },
        disk,
        replication,
      };
    } catch (err) {
      this.markStale(err);
    }
    return this.snapshot();
  }

  private async readSizes(conn: MonitorConnection): Promise<MonitorSnapshot> {
    try {
      // The fast session learns the facts; sizes may run before it ever connected.
      if (!this.facts) await this.fast.query('SELECT 1');
      const sizes = await measureSizes(conn, this.state.sizes, this.facts?.mayListWal ?? false);
      this.state = { ...this.state, sizes };
    } catch (err) {
      this.state = { ...this.state, sizes: { ...this.state.sizes, error: refreshFailure(err) } };
    }
    return this.snapshot();
  }

  private markStale(err: unknown): void {
    const now = new Date().toISOString();
    this.state = { ...this.state, stale: true, staleSince: this.state.staleSince ?? now, error: refreshFailure(err) };
  }
}
