// What the console reads to draw its panes, behind the operations layer: the server's version, the
// folder and runbook, the checklist (not journalled: it is read every minute), the monitor's feed,
// the plan read ahead for the run dialog, and the statements and tables of a migration. The slow
// parts load when first used, so that the console's first frame does not wait for them.
import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import type { MigrationsFolder } from '../runbook/folder.js';
import type { RunbookManifest } from '../runbook/manifest.js';
import type { PlanResult } from '../analysis/plan.js';
import { Monitor, type MonitorOptions } from '../monitor/monitor.js';
import type { Workspace } from './workspace.js';

export { EventStream, retryReason } from '../engine/events.js';
export { lockRows } from '../monitor/locks.js';

/** The server's version, the migrations folder and the runbook manifest (or why it cannot be used), read together. */
export async function readConsoleWorkspace(
  db: Db,
  ws: Workspace,
): Promise<{ version: string | undefined; folder: MigrationsFolder; manifest: RunbookManifest | undefined | Error }> {
  const { contextManifest } = await import('../safety/runbook.js');
  const [version, folder, manifest] = await Promise.all([
    db.query<{ version: string }>(sqlFile('server_version')).then((r) => r.rows[0]?.version),
    ws.folder(),
    contextManifest(ws).catch((err: Error) => err),
  ]);
  return { version, folder, manifest };
}

export type ChecklistResults = Awaited<ReturnType<typeof import('../safety/checklist.js').runChecklist>>;

/** The checklist with its evidence (Prisma's own status is not asked from the console: it takes seconds). */
export async function consoleChecklist(ws: Workspace, backupDir: string): Promise<ChecklistResults> {
  const { runChecklist } = await import('../safety/checklist.js');
  const { checklistInputs } = await import('../safety/runbook.js');
  return runChecklist({ ...(await checklistInputs(ws, backupDir)), prismaCrossCheck: false });
}

/** The Locks and Disk panes' feed: locks, activity, sizes and disk, polled on sessions of its own. */
export function watchTarget(ws: Workspace, opts: MonitorOptions): Monitor {
  return new Monitor(ws.target(), opts);
}

/** `plan` of the folder against the target's catalog, linted, as the run dialog shows it. */
export async function readPlan(db: Db, folder: MigrationsFolder, signal: AbortSignal): Promise<PlanResult> {
  const { readTargetFacts } = await import('../analysis/catalog.js');
  const { OFF_THREAD_CHARS, planOffThread, scriptChars } = await import('../analysis/offThread.js');
  const facts = await readTargetFacts(db);
  // A large project's parse and analyses take seconds: on the main loop, no key would be handled meanwhile.
  if (scriptChars(folder.migrations) > OFF_THREAD_CHARS) return planOffThread(folder, facts, { lint: true, signal });
  const { buildPlan } = await import('../analysis/plan.js');
  return buildPlan(folder, facts, { lint: true, signal });
}

/** A migration's statements as the engine splits them (line: where each starts in migration.sql). */
export async function statementsOf(sql: string, file: string): Promise<{ line: number; sql: string }[]> {
  const { OFF_THREAD_CHARS, statementsOffThread } = await import('../analysis/offThread.js');
  if (sql.length > OFF_THREAD_CHARS) return statementsOffThread(sql, file);
  const { splitStatements } = await import('../engine/split.js');
  return splitStatements(sql, file);
}

export { blockersOf, tablesOf } from '../analysis/blockers.js';
