import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { MigrationStatus, RunningInfo } from '../runbook/status.js';
import { indexBuildFromRow, type IndexBuild } from './progress.js';

// A running migration and a failed one leave the same unfinished row in _prisma_migrations, and a
// CREATE INDEX CONCURRENTLY being built is INVALID just as one a cancelled build left. What tells
// them apart is a live backend: the one holding Prisma's advisory lock (every run, ours or
// `prisma migrate deploy`, holds it for its whole length), and the builder pg_stat_progress_create_index
// names. "Failed", and advice to drop or roll back, only when no live backend owns them.

/** The session holding Prisma's advisory lock, and what it does now. */
export interface LiveRunner {
  pid: number;
  application: string;
  user: string;
  /** When the session connected: rows it wrote were started after it. */
  since: string;
  queryStart: string | null;
  state: string;
  waitsForLock: boolean;
  query: string;
}

export interface LiveWork {
  runner: LiveRunner | null;
  /** Index builds under way in this database (any session's). */
  builds: IndexBuild[];
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** Two queries, one after the other (one connection runs one query at a time). */
export async function readLiveWork(db: Pick<Db, 'query'>): Promise<LiveWork> {
  const r = await db.query<{
    pid: number;
    application: string;
    user: string;
    since: Date;
    query_start: Date | null;
    state: string;
    wait_event_type: string;
    query: string;
  }>(sqlFile('migration_runner_now'));
  const row = r.rows[0];
  const runner = row
    ? {
        pid: row.pid,
        application: row.application,
        user: row.user,
        since: iso(row.since)!,
        queryStart: iso(row.query_start),
        state: row.state,
        waitsForLock: row.wait_event_type === 'Lock',
        query: row.query,
      }
    : null;
  const builds = (await db.query(sqlFile('index_build_progress'))).rows.map(indexBuildFromRow);
  return { runner, builds };
}

/** What the runner's backend does, in a few words, and the migration's percent where known. */
export function runnerPhase(
  runner: LiveRunner,
  builds: IndexBuild[],
  statement?: { index: number; count: number },
): Pick<RunningInfo, 'phase' | 'percent'> {
  const build = builds.find((b) => b.pid === runner.pid);
  const done = statement ? statement.index - 1 : 0;
  const count = statement?.count ?? 0;
  // The migration's percent moves with its index build, as the run's own progress does.
  const percent = (within: number | null) =>
    count > 0 ? Math.round((100 * (done + (within ?? 0) / 100)) / count) : within === null ? null : Math.round(within);
  if (build) return { phase: build.phase, percent: percent(build.percent) };
  const phase = runner.waitsForLock
    ? 'waiting for a lock'
    : runner.state === 'active'
      ? 'executing'
      : runner.state || 'connected';
  return { phase, percent: count > 0 ? percent(0) : null };
}

/**
 * The states with the runner's migration marked running: an unfinished row written after the
 * runner's session connected is its work, not a failure (a failed row of an earlier run is older
 * than the session). `statementOf` says which statement the runner's query is, where known.
 */
export function markRunning(
  states: MigrationStatus[],
  live: LiveWork,
  statementOf?: (name: string) => { index: number; count: number } | undefined,
): MigrationStatus[] {
  const runner = live.runner;
  if (!runner) return states;
  return states.map((s) => {
    if (s.state !== 'failed' || !s.startedAt || s.startedAt < runner.since) return s;
    const statement = statementOf?.(s.name);
    const running: RunningInfo = {
      pid: runner.pid,
      startedAt: s.startedAt,
      ...(statement ? { statement } : {}),
      ...runnerPhase(runner, live.builds, statement),
    };
    const { logs: _logs, ...rest } = s;
    // The journal's word on a run that died while its backend goes on stays: it says what to expect.
    const note = s.note && /^interrupted at/.test(s.note) ? s.note : describeRunning(running);
    return { ...rest, state: 'running', running, note };
  });
}

/** "running on backend pid N since …: statement 1 of 3, building index: scanning table 40%". */
export function describeRunning(r: RunningInfo): string {
  const what = [
    r.statement ? `statement ${r.statement.index} of ${r.statement.count}` : '',
    `${r.phase}${r.percent === null ? '' : ` ${r.percent}%`}`,
  ]
    .filter(Boolean)
    .join(', ');
  return `running on backend pid ${r.pid} since ${r.startedAt.replace('T', ' ').slice(0, 19)} UTC: ${what}`;
}

/** An INVALID index that a live build is making: who builds it, and how far. */
export interface IndexBeingBuilt {
  name: string;
  pid: number;
  phase: string;
  percent: number | null;
}

/** Splits INVALID index names into those a live build owns and those left behind. */
export function ownedIndexes(invalid: string[], builds: IndexBuild[]): { building: IndexBeingBuilt[]; left: string[] } {
  const building: IndexBeingBuilt[] = [];
  const left: string[] = [];
  for (const name of invalid) {
    const short = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
    const b = builds.find((x) => x.index === short || x.index === name);
    if (b) building.push({ name, pid: b.pid, phase: b.phase, percent: b.percent });
    else left.push(name);
  }
  return { building, left };
}
