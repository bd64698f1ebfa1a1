// The run question's facts for a front end without a monitor (the CLI): plan and the sessions that
// would block each migration, read once in one READ ONLY session just before the question.
import { withDb } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { holderFromRow } from '../monitor/holders.js';
import { blockersOf, tablesOf, type Blocker } from '../analysis/blockers.js';
import type { PlanResult } from '../analysis/plan.js';
import type { LockOptions } from '../engine/lockPolicy.js';
import { contextManifest } from '../safety/runbook.js';
import { MAX_DETAILED, runBriefing, type RunBriefing } from './runBriefing.js';
import type { Workspace } from './workspace.js';

export async function readRunBriefing(
  ws: Workspace,
  pending: { name: string }[],
  input: LockOptions & { statementTimeoutMs?: number },
): Promise<RunBriefing> {
  const folder = await ws.folder();
  const manifest = await contextManifest(ws).catch(() => undefined);
  const chosen = pending.map((m) => ({
    name: m.name,
    estimate: manifest?.migrations.find((x) => x.name === m.name)?.estimate,
  }));
  let plan: PlanResult | undefined;
  let planError: string | undefined;
  const blockers = new Map<string, Blocker[]>();
  try {
    await withDb(
      ws.target(),
      async (db) => {
        const { readTargetFacts } = await import('../analysis/catalog.js');
        const { buildPlan } = await import('../analysis/plan.js');
        plan = await buildPlan(folder, await readTargetFacts(db), { lint: true });
        const holders = (await db.query(sqlFile('table_lock_holders'))).rows.map(holderFromRow);
        for (const m of pending.slice(0, MAX_DETAILED)) {
          const local = folder.migrations.find((x) => x.name === m.name);
          if (local) blockers.set(m.name, blockersOf(holders, await tablesOf(local), new Set()));
        }
      },
      { applicationName: 'citadel-migrate run (question)' },
    );
  } catch (err) {
    planError = (err as Error).message;
  }
  return runBriefing({
    display: ws.target().display,
    mode: ws.mode,
    chosen,
    plan,
    planError,
    blockers,
    lock: input,
    statementTimeoutMs: input.statementTimeoutMs,
    blockerHint: '`citadel-migrate locks` shows it, `kill PID` cancels it',
  });
}
