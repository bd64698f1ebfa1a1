// The run's hold check (engine/hold.ts): the limits the DBA gave (--max-lag, --max-archive-backlog)
// read against the server on a monitor session of its own, with short timeouts so that looking
// never queues behind the migration.
import type { Target } from '../postgres/target.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { MonitorConnection } from '../monitor/connection.js';
import { standbyFromRow } from '../monitor/replication.js';
import { DEFAULT_MAX_HOLD_MS, type HoldPolicy } from '../engine/hold.js';
import { formatBytes, formatDuration } from '../format.js';

export interface HoldLimits {
  /** A standby's replay lag, in time (--max-lag 2s) or in bytes of WAL (--max-lag 64MB). */
  maxLagMs?: number;
  maxLagBytes?: number;
  /** WAL segments completed and not archived (--max-archive-backlog). */
  maxArchiveBacklog?: number;
  /** --max-hold; DEFAULT_MAX_HOLD_MS when not given. */
  maxHoldMs?: number;
}

export const holdWanted = (l: HoldLimits | undefined): l is HoldLimits =>
  Boolean(l && (l.maxLagMs !== undefined || l.maxLagBytes !== undefined || l.maxArchiveBacklog !== undefined));

/**
 * What is over its limit now, or null. Standbys first (the first one over), then the archive.
 * `server` (a fleet's host:port) is named when several servers are watched.
 */
export function overLimit(
  limits: HoldLimits,
  standbyRows: Record<string, any>[],
  backlog: number | null,
  server?: string,
): string | null {
  const of = server ? ` of server ${server}` : '';
  for (const s of standbyRows.map(standbyFromRow)) {
    const secs = s.replayLagSeconds;
    if (limits.maxLagMs !== undefined && secs !== null && secs * 1000 > limits.maxLagMs)
      return `standby ${s.name}${of} is ${formatDuration(secs * 1000)} behind (max ${formatDuration(limits.maxLagMs)})`;
    const bytes = s.replayLagBytes;
    if (limits.maxLagBytes !== undefined && bytes !== null && bytes > limits.maxLagBytes)
      return `standby ${s.name}${of} is ${formatBytes(bytes)} behind (max ${formatBytes(limits.maxLagBytes)})`;
  }
  if (limits.maxArchiveBacklog !== undefined && backlog !== null && backlog > limits.maxArchiveBacklog)
    return `the archive${of} is ${backlog} WAL segments behind (max ${limits.maxArchiveBacklog})`;
  return null;
}

/** The figures overLimit reads, on a monitor session: the standbys' rows and the archive's backlog. */
export async function readHoldFigures(
  conn: MonitorConnection,
  limits: HoldLimits,
): Promise<{ standbys: Record<string, any>[]; backlog: number | null }> {
  const standbys = (await conn.query(sqlFile('replication_standbys'))).rows;
  const backlog =
    limits.maxArchiveBacklog === undefined
      ? null
      : Number((await conn.query(sqlFile('archive_backlog'))).rows[0]?.backlog_segments ?? Number.NaN);
  return { standbys, backlog: Number.isNaN(backlog) ? null : backlog };
}

/** The policy for the engine, and the session to close after the run (none without limits). */
export function openHold(
  target: Target,
  limits: HoldLimits | undefined,
): { policy: HoldPolicy | undefined; close(): Promise<void> } {
  if (!holdWanted(limits)) return { policy: undefined, close: async () => undefined };
  const conn = new MonitorConnection(target, {
    applicationName: 'citadel-migrate run (hold)',
    lockTimeoutMs: 200,
    statementTimeoutMs: 2000,
    connectTimeoutMs: 5000,
  });
  const check = async () => {
    const { standbys, backlog } = await readHoldFigures(conn, limits);
    return overLimit(limits, standbys, backlog);
  };
  return {
    policy: { check, maxHoldMs: limits.maxHoldMs ?? DEFAULT_MAX_HOLD_MS },
    close: () => conn.close(),
  };
}
