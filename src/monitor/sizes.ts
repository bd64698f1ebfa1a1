import { sqlFile } from '../postgres/sqlFiles.js';
import type { MonitorConnection } from './connection.js';
import { refreshFailure } from './connection.js';

export interface RelationSize {
  name: string;
  /** r = table, m = materialized view */
  kind: string;
  /** Table + TOAST + indexes. */
  bytes: number;
  estimatedRows: number;
}

/** The slow figures: refreshed every 30 s or on demand, on a connection of their own. */
export interface SizeGauges {
  databaseBytes: number | null;
  /** The first size measured in this session: growth is counted from there. */
  baselineBytes: number | null;
  growthBytes: number | null;
  measuredAt: string | null;
  largest: RelationSize[];
  /** WAL in pg_wal, when the role may list it (superuser or pg_monitor); else null with a note. */
  walBytes: number | null;
  walFiles: number | null;
  walNote: string | null;
  /** Why the last refresh of some figure failed (the older figure is kept). */
  error: string | null;
}

export const emptySizes = (): SizeGauges => ({
  databaseBytes: null,
  baselineBytes: null,
  growthBytes: null,
  measuredAt: null,
  largest: [],
  walBytes: null,
  walFiles: null,
  walNote: null,
  error: null,
});

/**
 * Measures the sizes, each query on its own so that one that fails (a lock taken between our check
 * and the size call meets lock_timeout) keeps the others. Returns a new gauges object.
 */
export async function measureSizes(
  conn: MonitorConnection,
  previous: SizeGauges,
  mayListWal: boolean,
): Promise<SizeGauges> {
  const next: SizeGauges = { ...previous, error: null };
  const errors: string[] = [];
  try {
    const bytes = Number((await conn.query(sqlFile('database_size'))).rows[0].bytes);
    next.baselineBytes ??= bytes;
    next.databaseBytes = bytes;
    next.growthBytes = bytes - next.baselineBytes;
    next.measuredAt = new Date().toISOString();
  } catch (err) {
    errors.push(`database size: ${refreshFailure(err)}`);
  }
  try {
    next.largest = (await conn.query(sqlFile('largest_relations_not_locked'))).rows
      .filter((r) => r.bytes !== null)
      .map((r) => ({
        name: r.name,
        kind: r.kind,
        bytes: Number(r.bytes),
        estimatedRows: Math.max(0, Number(r.estimated_rows)),
      }));
  } catch (err) {
    errors.push(`largest relations: ${refreshFailure(err)}`);
  }
  if (mayListWal) {
    try {
      const r = (await conn.query(sqlFile('wal_size'))).rows[0];
      next.walBytes = Number(r.bytes);
      next.walFiles = Number(r.files);
      next.walNote = null;
    } catch (err) {
      errors.push(`WAL size: ${refreshFailure(err)}`);
    }
  } else {
    next.walBytes = null;
    next.walFiles = null;
    next.walNote = 'WAL size needs superuser or the pg_monitor role';
  }
  next.error = errors.length ? errors.join('; ') : null;
  return next;
}
