import { DOWN_SQL_BEGUN, type HistoryRow } from './history.js';
import type { LocalMigration } from './folder.js';
import { checksumMatches } from './checksum.js';
import { parseRewriteProgress, rewriteNote } from './rewriteProgress.js';

export type MigrationState =
  | 'applied'
  | 'pending'
  | 'running'
  | 'failed'
  | 'rolled-back'
  | 'modified'
  | 'missing-locally';

/** A migration a live backend is executing now (monitor/liveRun.ts decides it). */
export interface RunningInfo {
  /** The backend running it (it holds Prisma's advisory lock). */
  pid: number;
  /** When its row was written (Prisma's started_at), or the statement began when no row shows yet. */
  startedAt: string;
  /** Statement n of N of its migration.sql, when the backend's query text matches one. */
  statement?: { index: number; count: number };
  /** What the backend does: an index build's phase, "waiting for a lock", "executing". */
  phase: string;
  /** How far the migration is, 0-100, where the server gives a measure. */
  percent: number | null;
}

export interface MigrationStatus {
  name: string;
  state: MigrationState;
  /** The local file's checksum (the recorded one for missing-locally). */
  checksum: string;
  appliedAt: string | null;
  /** Recorded checksum when it differs from the file's. */
  recordedChecksum?: string;
  /** The error Prisma keeps in `logs` for a failed migration. */
  logs?: string;
  /** One sentence for the DBA about what this state means for the next run. */
  note?: string;
  /** An unfinished row: when it was started (told apart from a running one by monitor/liveRun.ts). */
  startedAt?: string;
  running?: RunningInfo;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/**
 * Each migration's state, decided as Prisma's `migrate status` and `migrate deploy` decide it,
 * with Prisma's quirk about rolled-back migrations spelled out instead of hidden.
 */
export function migrationStates(local: LocalMigration[], rows: HistoryRow[]): MigrationStatus[] {
  const byName = new Map<string, HistoryRow[]>();
  for (const r of rows) {
    const list = byName.get(r.migration_name) ?? [];
    list.push(r);
    byName.set(r.migration_name, list);
  }
  const out: MigrationStatus[] = [];
  for (const m of local) {
    const mine = byName.get(m.name) ?? [];
    byName.delete(m.name);
    out.push(stateOf(m, mine));
  }
  for (const [name, mine] of byName) {
    const last = mine[mine.length - 1]!;
    out.push({
      name,
      state: 'missing-locally',
      checksum: last.checksum,
      appliedAt: iso(mine.find((r) => r.finished_at)?.finished_at),
      note: 'recorded in the database but its folder is missing here: check that --migrations points at the right folder',
    });
  }
  return out;
}

function stateOf(m: LocalMigration, rows: HistoryRow[]): MigrationStatus {
  const base = { name: m.name, checksum: m.checksum };
  const failed = rows.filter((r) => !r.finished_at && !r.rolled_back_at);
  const finished = rows.filter((r) => r.finished_at && !r.rolled_back_at);
  if (failed.length) {
    const last = failed[failed.length - 1]!;
    const rewrite = parseRewriteProgress(last.logs);
    return {
      ...base,
      state: 'failed',
      appliedAt: null,
      startedAt: iso(last.started_at)!,
      logs: last.logs ?? undefined,
      note: rewrite
        ? rewriteNote(rewrite)
        : `failed at ${iso(last.started_at)}: nothing runs until it is resolved with \`rollback ${m.name}\` or \`skip ${m.name}\``,
    };
  }
  if (finished.length) {
    const last = finished[finished.length - 1]!;
    const cut = downSqlCut(m.name, last.logs);
    if (finished.every((r) => checksumMatches(m.bytes, r.checksum))) {
      const skipped =
        last.applied_steps_count === 0 ? 'marked applied without running (skip / resolve --applied)' : undefined;
      const note = cut ?? skipped;
      return { ...base, state: 'applied', appliedAt: iso(last.finished_at), ...(note ? { note } : {}) };
    }
    return {
      ...base,
      state: 'modified',
      appliedAt: iso(last.finished_at),
      recordedChecksum: last.checksum,
      note:
        cut ??
        'migration.sql changed after it was applied: restore the applied version of the file (run refuses without --allow-modified)',
    };
  }
  if (rows.length) {
    return {
      ...base,
      state: 'rolled-back',
      appliedAt: null,
      note: "rolled back: the next run applies it again (Prisma's migrate status no longer lists it, yet migrate deploy re-applies it)",
    };
  }
  return { ...base, state: 'pending', appliedAt: null };
}

/** The note for an applied migration whose non-atomic down.sql began and never completed (markDownSqlBegun). */
function downSqlCut(name: string, logs: string | null): string | undefined {
  if (!logs?.startsWith(DOWN_SQL_BEGUN)) return undefined;
  const at = logs.slice(DOWN_SQL_BEGUN.length, DOWN_SQL_BEGUN.length + 16).replace('T', ' ');
  return `a rollback began running down.sql at ${at} UTC and did not finish; down.sql is not atomic, so what it did before it stopped remains: inspect, then run \`rollback ${name}\` again or redo by hand what it undid`;
}

/** Migrations the next run applies, in order: pending and rolled-back ones. */
/**
 * What makes `prisma migrate status` exit 1 (measured with Prisma 6.19's CLI): a migration pending
 * or failed. A migration resolved as rolled back, one missing locally or a modified file: exit 0.
 */
export function outstanding(states: MigrationStatus[]): MigrationStatus[] {
  return states.filter((s) => s.state === 'pending' || s.state === 'failed');
}

export function runnable<T extends Pick<MigrationStatus, 'name'> & { state: string }>(states: T[], to?: string): T[] {
  // --to NAME (run, plan, rehearse): up to and including NAME, in folder order
  return states.filter((s) => (s.state === 'pending' || s.state === 'rolled-back') && (!to || s.name <= to));
}
