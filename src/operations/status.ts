import { withDb, type Db } from '../postgres/connect.js';
import { readHistory } from '../runbook/history.js';
import { migrationStates, outstanding, runnable, type MigrationStatus } from '../runbook/status.js';
import type { MigrationsFolder } from '../runbook/folder.js';
import { journalTail } from './journalTail.js';
import { explainInterrupted, deadRunPids } from './interrupted.js';
import { findLeftovers, type Leftovers } from '../engine/leftovers.js';
import { interruptedSafeFormLeftovers } from './rewrite.js';
import { splitStatements } from '../engine/split.js';
import { detectPooler, poolerWarning } from '../postgres/pooler.js';
import { folderMismatch } from '../runbook/folderMatch.js';
import {
  readLiveWork,
  markRunning,
  ownedIndexes,
  runnerPhase,
  describeRunning,
  type IndexBeingBuilt,
  type LiveWork,
} from '../monitor/liveRun.js';
import { stopReading } from './stopDeadline.js';
import type { Workspace } from './workspace.js';
import type { Prepared } from './confirm.js';
import { readReplicationStatus, type ReplicationStatus } from './replicationStatus.js';

export { replicationDocument, replicationLines } from '../monitor/replication.js';
import { projectDocument } from '../project/discover.js';

/** What a status shows and how it is counted, for both front ends. */
export { outstanding, projectDocument, type IndexBeingBuilt, type Leftovers, type MigrationStatus };

export interface StatusReport {
  states: MigrationStatus[];
  /** What a dead run left on the server: Prisma's advisory lock, INVALID indexes no live build owns. */
  leftovers: Leftovers;
  /** INVALID indexes a live CREATE INDEX CONCURRENTLY is building: not leftovers. */
  indexesBeingBuilt: IndexBeingBuilt[];
  /** What a run would refuse: the wrong folder, a transaction pooler. */
  warnings: string[];
  /** Standbys, slots, WAL and autovacuum: only when asked for (it takes a quarter second for the WAL rate). */
  replication?: ReplicationStatus;
}

/** Nothing to choose and nothing to confirm: status only reads. */
export type StatusPlan = Record<string, never>;

export function prepareStatus(_ws: Workspace): Prepared<StatusPlan> {
  return { plan: {}, question: null };
}

/**
 * The migrations' states, explained by the journal where the database cannot explain them.
 * `io.db`: a session the caller keeps open (the console's, read every few seconds), else one is opened.
 */
export function executeStatus(
  ws: Workspace,
  _plan: StatusPlan,
  io: { db?: Db; replication?: boolean } = {},
): Promise<StatusReport> {
  return stopReading(ws.signal, status(ws, io), 'status');
}

/** `replication`: also the standbys, slots, WAL and autovacuum (status --json and text; the console asks its own). */
export function statusOperation(ws: Workspace, io: { db?: Db; replication?: boolean } = {}): Promise<StatusReport> {
  return executeStatus(ws, prepareStatus(ws).plan, io);
}

async function status(ws: Workspace, io: { db?: Db; replication?: boolean }): Promise<StatusReport> {
  const session = io.db;
  const folder = await ws.folder();
  const target = ws.target();
  // The journal explains what the database cannot: an attempt whose process died part-way.
  const journal = journalTail((await ws.journal()).file);
  const read = async (db: Db) => {
    const rows = await readHistory(db);
    const leftovers = await findLeftovers(db, deadRunPids(journal.lines));
    const { indexes: owners, columns: columnOwners } =
      leftovers.invalidIndexes.length || leftovers.expandColumns?.length
        ? await interruptedSafeFormLeftovers(db, folder, migrationStates(folder.migrations, rows))
        : { indexes: new Map<string, string>(), columns: new Map<string, string>() };
    return {
      rows,
      leftovers: {
        ...leftovers,
        ...(leftovers.expandColumns
          ? {
              expandColumns: leftovers.expandColumns.map((c) => {
                const owner = columnOwners.get(`${c.table}.${c.column}`);
                return owner ? { ...c, rewrite: owner } : c;
              }),
            }
          : {}),
        invalidIndexes: leftovers.invalidIndexes.map((i) =>
          owners.has(i.name) ? { ...i, rewrite: owners.get(i.name)! } : i,
        ),
      },
      pooler: await detectPooler(target, db),
      live: await readLiveWork(db),
      replication: io.replication
        ? await readReplicationStatus(db, { folder, states: migrationStates(folder.migrations, rows) })
        : undefined,
    };
  };
  const { rows, leftovers, pooler, live, replication } = session
    ? await read(session)
    : await withDb(target, read, { applicationName: 'citadel-migrate status' });
  const warnings = [
    folderMismatch(folder, rows)?.message,
    poolerWarning(target, pooler, ws.project().directUrlVariable),
  ].filter((w): w is string => Boolean(w));
  const explained = explainInterrupted(migrationStates(folder.migrations, rows), journal.lines, leftovers);
  const { building, left } = ownedIndexes(
    leftovers.invalidIndexes.map((i) => i.name),
    live.builds,
  );
  const stillLeft = leftovers.invalidIndexes.filter((i) => left.includes(i.name));
  const states = await withLiveRun(explained, folder, live);
  // The new column and trigger of a safe form whose run is alive are its work in progress, not a leftover.
  const running = new Set(states.filter((s) => s.state === 'running').map((s) => s.name));
  const expandColumns = leftovers.expandColumns?.filter((c) => !(c.rewrite && running.has(c.rewrite)));
  return {
    states,
    leftovers: { ...leftovers, invalidIndexes: stillLeft, ...(expandColumns ? { expandColumns } : {}) },
    indexesBeingBuilt: building,
    warnings,
    ...(replication ? { replication } : {}),
  };
}

const flat = (s: string) =>
  s
    .replace(/\s+/g, ' ')
    .replace(/[\s;]+$/, '')
    .trim();

/** Which statement of a migration the runner's query is (its text, or the start of it: the server keeps 1 kB). */
async function statementIn(
  folder: MigrationsFolder,
  name: string,
  query: string,
): Promise<{ index: number; count: number } | undefined> {
  const m = folder.migrations.find((x) => x.name === name);
  const q = flat(query);
  if (!m || !q) return undefined;
  const statements = await splitStatements(m.sql, `${name}/migration.sql`).catch(() => []);
  const i = statements.findIndex((s) => {
    const t = flat(s.sql);
    return q.includes(t) || (q.length >= 200 && t.startsWith(q.slice(0, 200)));
  });
  return i < 0 ? undefined : { index: i + 1, count: statements.length };
}

/**
 * The runner's migration marked running: an unfinished row written after its session connected,
 * or, for an atomic migration whose row is still inside its transaction (pending to everyone
 * else), the first runnable one whose statement the runner executes now.
 */
async function withLiveRun(
  states: MigrationStatus[],
  folder: MigrationsFolder,
  live: LiveWork,
): Promise<MigrationStatus[]> {
  const runner = live.runner;
  if (!runner) return states;
  const owned = markRunning(states, live);
  const mine = owned.find((s) => s.state === 'running');
  if (mine) {
    const statement = await statementIn(folder, mine.name, runner.query);
    return statement ? markRunning(states, live, () => statement) : owned;
  }
  if (runner.state !== 'active') return states;
  for (const s of runnable(states)) {
    const statement = await statementIn(folder, s.name, runner.query);
    if (!statement) continue;
    const running = {
      pid: runner.pid,
      startedAt: runner.queryStart ?? runner.since,
      statement,
      ...runnerPhase(runner, live.builds, statement),
    };
    const note = s.note && /^interrupted at/.test(s.note) ? s.note : describeRunning(running);
    return states.map((x) => (x.name === s.name ? { ...x, state: 'running' as const, running, note } : x));
  }
  return states;
}
