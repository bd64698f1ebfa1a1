// The health of what depends on this server's WAL: the standbys streaming from it, the replication
// slots holding WAL back, the WAL written per second and the archiver's backlog, and autovacuum
// workers on the tables a migration is about to touch. One query each (sql/), cheap enough for
// every refresh of the console; `status`, `locks` and a run's hold check read the same figures.
import { sqlFile } from '../postgres/sqlFiles.js';
import { formatBytes } from '../format.js';

export interface StandbyHealth {
  name: string;
  clientAddress: string | null;
  state: string;
  syncState: string | null;
  /** Seconds as the standby last reported them; 0 when it is caught up and idle; null when hidden or unknown. */
  writeLagSeconds: number | null;
  flushLagSeconds: number | null;
  replayLagSeconds: number | null;
  writeLagBytes: number | null;
  flushLagBytes: number | null;
  replayLagBytes: number | null;
}

export interface SlotHealth {
  name: string;
  type: string;
  database: string | null;
  active: boolean;
  walStatus: string | null;
  retainedBytes: number | null;
}

export interface AutovacuumWork {
  pid: number;
  table: string;
  schema: string;
  work: 'vacuum' | 'analyze';
  phase: string;
}

export interface ReplicationHealth {
  /** The server is itself a standby: nothing may be written to it. */
  inRecovery: boolean;
  standbys: StandbyHealth[];
  slots: SlotHealth[];
  wal: { bytesPerSecond: number | null; archiveBacklogSegments: number | null };
  autovacuum: AutovacuumWork[];
  /** Inactive slots retaining more than the server's max_wal_size, each named. */
  warnings: string[];
}

/** The queries of one reading, in the order replicationFromRows takes their rows. */
export const REPLICATION_QUERIES = [
  'replication_standbys',
  'replication_slots',
  'wal_position',
  'archive_backlog',
  'autovacuum_workers',
] as const;

type Row = Record<string, any>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** WAL bytes per second from consecutive readings of the server's WAL position and clock. */
export class WalRate {
  private last: { bytes: number; atMs: number } | undefined;
  private rate: number | null = null;

  /** The rate since the previous reading (kept when readings are under 100 ms apart: too noisy). */
  update(row: Row | undefined): number | null {
    if (!row || row.lsn_bytes === null) return this.rate;
    const now = { bytes: Number(row.lsn_bytes), atMs: Number(row.at_ms) };
    const last = this.last;
    if (!last || now.bytes < last.bytes) this.last = now;
    else if (now.atMs - last.atMs >= 100) {
      this.rate = Math.round(((now.bytes - last.bytes) * 1000) / (now.atMs - last.atMs));
      this.last = now;
    }
    return this.rate;
  }
}

export function standbyFromRow(r: Row): StandbyHealth {
  return {
    name: r.name || '(unnamed)',
    clientAddress: r.client_address ?? null,
    state: r.state ?? 'unknown',
    syncState: r.sync_state ?? null,
    writeLagSeconds: num(r.write_lag_seconds),
    flushLagSeconds: num(r.flush_lag_seconds),
    replayLagSeconds: num(r.replay_lag_seconds),
    writeLagBytes: num(r.write_lag_bytes),
    flushLagBytes: num(r.flush_lag_bytes),
    replayLagBytes: num(r.replay_lag_bytes),
  };
}

/** Rows of REPLICATION_QUERIES, in order, as one reading. */
export function replicationFromRows(rows: Row[][], walRate: WalRate): ReplicationHealth {
  const [standbys = [], slots = [], position = [], archive = [], autovacuum = []] = rows;
  const slotRows = slots.map((s) => ({
    slot: {
      name: s.name,
      type: s.type,
      database: s.database ?? null,
      active: Boolean(s.active),
      walStatus: s.wal_status ?? null,
      retainedBytes: num(s.retained_bytes),
    } satisfies SlotHealth,
    warnBytes: num(s.warn_bytes),
  }));
  const warnings = slotRows
    .filter(
      ({ slot, warnBytes }) => !slot.active && (slot.retainedBytes ?? 0) > (warnBytes ?? Number.POSITIVE_INFINITY),
    )
    .map(
      ({ slot, warnBytes }) =>
        `replication slot ${slot.name} is inactive and retains ${formatBytes(slot.retainedBytes)} of WAL (more than max_wal_size, ${formatBytes(warnBytes)}): the disk fills until its consumer returns; drop it with SELECT pg_drop_replication_slot('${slot.name}') if it is gone for good.`,
    );
  return {
    inRecovery: Boolean(position[0]?.in_recovery),
    standbys: standbys.map(standbyFromRow),
    slots: slotRows.map((s) => s.slot),
    wal: { bytesPerSecond: walRate.update(position[0]), archiveBacklogSegments: num(archive[0]?.backlog_segments) },
    autovacuum: autovacuum.map((a) => ({
      pid: Number(a.pid),
      table: a.table,
      schema: a.schema,
      work: a.work === 'analyze' ? 'analyze' : 'vacuum',
      phase: a.phase,
    })),
    warnings,
  };
}

/** Anything that runs one query text and returns its rows (a client, the monitor's reconnecting session). */
export interface Queryable {
  query(text: string): Promise<{ rows: Row[] }>;
}

/** One reading, query by query, on a session of the caller's. */
export async function readReplicationHealth(db: Queryable, walRate: WalRate): Promise<ReplicationHealth> {
  const rows: Row[][] = [];
  for (const name of REPLICATION_QUERIES) rows.push((await db.query(sqlFile(name))).rows);
  return replicationFromRows(rows, walRate);
}

/** Autovacuum workers on any of `tables` (names as a migration writes them, schema-qualified or not). */
export function autovacuumOn(health: Pick<ReplicationHealth, 'autovacuum'>, tables: string[]): AutovacuumWork[] {
  const wanted = new Set(tables.map((t) => t.toLowerCase()));
  return health.autovacuum.filter(
    (a) => wanted.has(a.table.toLowerCase()) || wanted.has(`${a.schema}.${a.table}`.toLowerCase()),
  );
}

const seconds = (s: number | null) => (s === null ? '? s' : s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`);

/** "replica-1 (10.0.0.7) streaming, replay 14 s / 2.1 MB behind" */
export function describeStandby(s: StandbyHealth): string {
  const where = s.clientAddress ? ` (${s.clientAddress})` : '';
  // every byte replayed: the lag times are those of the last change, not a delay now
  const caughtUp = s.replayLagBytes === 0;
  const lag = caughtUp
    ? 'caught up'
    : `replay ${seconds(s.replayLagSeconds)} / ${formatBytes(s.replayLagBytes)} behind (write ${seconds(s.writeLagSeconds)}, flush ${seconds(s.flushLagSeconds)})`;
  return `${s.name}${where} ${s.state}${s.syncState && s.syncState !== 'async' ? ` ${s.syncState}` : ''}, ${lag}`;
}

export function describeSlot(s: SlotHealth): string {
  return `${s.name} (${s.type}${s.database ? ` on ${s.database}` : ''}) ${s.active ? 'active' : 'inactive'}, retains ${formatBytes(s.retainedBytes)}`;
}

export function describeWal(w: ReplicationHealth['wal']): string {
  const rate = w.bytesPerSecond === null ? '? /s' : `${formatBytes(w.bytesPerSecond)}/s`;
  const backlog =
    w.archiveBacklogSegments === null
      ? 'archive backlog unknown (archiving off or nothing archived yet)'
      : `archive backlog ${w.archiveBacklogSegments} ${w.archiveBacklogSegments === 1 ? 'segment' : 'segments'}`;
  return `WAL ${rate}, ${backlog}`;
}

/** The lines `status` and `locks` print: standbys, slots, WAL, and the warnings marked with "!". */
export function replicationLines(h: ReplicationHealth, touched: AutovacuumWork[] = []): string[] {
  const out: string[] = [];
  if (h.inRecovery) out.push('This server is a standby (in recovery): it streams from a primary; write there.');
  out.push(
    h.standbys.length ? `Standbys: ${h.standbys.length}` : 'Standbys: none streaming from this server',
    ...h.standbys.map((s) => `  ${describeStandby(s)}`),
  );
  if (h.slots.length) out.push(`Replication slots: ${h.slots.length}`, ...h.slots.map((s) => `  ${describeSlot(s)}`));
  out.push(describeWal(h.wal));
  for (const a of touched)
    out.push(
      `! autovacuum (${a.work}, pid ${a.pid}) is running on ${a.schema}.${a.table}, which the next migration touches`,
    );
  for (const w of h.warnings) out.push(`! ${w}`);
  return out;
}

/** The document status --json and locks --json carry. */
export function replicationDocument(h: ReplicationHealth, touched: AutovacuumWork[] = []) {
  return {
    replication: {
      inRecovery: h.inRecovery,
      standbys: h.standbys,
      slots: h.slots,
      ...(h.warnings.length ? { warnings: h.warnings } : {}),
    },
    wal: h.wal,
    ...(touched.length ? { autovacuum: touched } : {}),
  };
}
