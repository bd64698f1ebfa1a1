import { EventStream } from '../engine/events.js';
import { planRollback, rollbackMigration, type RollbackPlan } from '../engine/resolve.js';
import { findMigration } from '../runbook/folder.js';
import { diagnoseFailure } from '../analysis/hint.js';
import { attachRecorders } from './attach.js';
import { confirmationFor, type Ask, type Question } from './confirm.js';
import { downSqlLines, latestBackupLine } from './rollbackBriefing.js';
import type { Workspace } from './workspace.js';
import { UserError } from '../errors.js';
import type { HistoryRow } from '../runbook/history.js';
import { stopReading, stopWriting } from './stopDeadline.js';
import { requireProject } from './project.js';
import { refuseStandby } from '../postgres/identity.js';

export type RollbackOutcome =
  | { name: string; outcome: 'rolled-back'; kind: RollbackPlan['kind']; ranDownSql: boolean; message: string }
  | { name: string; outcome: 'declined' };

/** Where migration `name` stands in `_prisma_migrations`, as a stopped rollback says it. */
export function rollbackReadBack(name: string, all: HistoryRow[]): string {
  const rows = all.filter((r) => r.migration_name === name);
  if (!rows.length) return `${name} is rolled back (its row is gone from _prisma_migrations)`;
  if (rows.some((r) => r.finished_at && !r.rolled_back_at))
    return `${name} is not rolled back (its row is still in _prisma_migrations)`;
  if (rows.every((r) => r.rolled_back_at)) return `${name} is recorded as rolled back`;
  return `${name} is not recorded as rolled back (it is still failed)`;
}

const meaningfulLines = (sql: string) => sql.split('\n').filter((l) => l.trim() && !l.trim().startsWith('--')).length;

/** The rollback's question; `briefing`: down.sql's statements and the latest backup (rollbackBriefing.ts). */
export function rollbackQuestion(ws: Workspace, plan: RollbackPlan, force: boolean, briefing: string[] = []): Question {
  const target = ws.target();
  const lines: string[] = [];
  if (plan.kind === 'down-sql') {
    lines.push(
      `Run down.sql of ${plan.name} on ${target.display} (${meaningfulLines(plan.downSql ?? '')} lines; data in what it drops is lost) and delete its ${plan.rows.length} row(s) from _prisma_migrations, in one transaction.`,
    );
    lines.push('Afterwards it is pending again: the next run applies it again.');
  } else {
    lines.push(
      `${plan.name} failed: record it as rolled back (what prisma migrate resolve --rolled-back does); the next run applies it again.`,
    );
    lines.push('Nothing else is executed: undo by hand anything a non-atomic migration left.');
  }
  if (plan.laterApplied.length)
    lines.push(
      `! Later migrations stay applied: ${plan.laterApplied.join(', ')}${force ? '' : ' (rolling back needs --force)'}.`,
    );
  // What it runs and the way back come after the warnings, which must stay on a small screen.
  lines.push(...briefing);
  return {
    title: `Roll back ${plan.name}?`,
    lines,
    verb: 'roll it back',
    ...confirmationFor(ws.mode, true, target.database, true),
  };
}

/**
 * Applied: runs down.sql and removes its record, so it is pending again; failed: records it rolled
 * back (after its down.sql when `runDownForFailed`). Journalled through the engine's events.
 */
export async function rollbackOperation(
  ws: Workspace,
  input: { name: string; force?: boolean; runDownForFailed?: boolean; allowForeignHistory?: boolean },
  io: { ask: Ask | null; events?: EventStream },
): Promise<RollbackOutcome> {
  requireProject(ws, 'roll back a migration');
  const folder = await ws.folder();
  const name = findMigration(folder, input.name).name;
  const target = ws.target();
  // Before the question and before any session that writes: a standby runs no down.sql.
  if (ws.mode === 'live') refuseStandby(await ws.identity(), `roll back ${name}`);
  const force = Boolean(input.force);
  let runDownForFailed = Boolean(input.runDownForFailed);
  if (io.ask) {
    const plan = await planRollback(target, folder, name);
    const briefing = [
      ...(plan.downSql !== undefined ? await downSqlLines(plan.downSql) : []),
      await latestBackupLine(ws),
    ];
    const answer = await io.ask(rollbackQuestion(ws, plan, force, briefing));
    if (!answer.confirmed) {
      (await ws.journal()).event('rollback-declined', { name });
      return { name, outcome: 'declined' };
    }
    if (plan.kind === 'mark-rolled-back' && plan.downSql !== undefined && !runDownForFailed) {
      const again = await io.ask({
        title: `Run down.sql of ${name} first?`,
        lines: ['To undo what a non-atomic attempt left behind before recording it rolled back.'],
        kind: 'y',
        verb: 'run its down.sql first',
        deliberate: true,
      });
      runDownForFailed = again.confirmed;
    }
  }
  const events = io.events ?? new EventStream();
  // The journal and the server the command resolved: the engine's session must show the same one.
  const notBegun = `Stopped before the rollback of ${name} began; nothing was changed.`;
  const [journal, expectServer] = await stopReading(
    ws.signal,
    Promise.all([ws.journal(), ws.identity()]),
    'rollback',
    notBegun,
  );
  const detach = attachRecorders(ws, events, journal);
  let plan: RollbackPlan;
  try {
    const signal = ws.signal;
    if (signal?.aborted) throw new UserError(notBegun, 'interrupted');
    const work = rollbackMigration({
      expectServer,
      target,
      folder,
      name,
      events,
      force,
      runDownForFailed,
      allowForeignHistory: input.allowForeignHistory,
      directUrlVariable: ws.project().directUrlVariable,
      diagnose: diagnoseFailure,
      signal,
    });
    plan = await stopWriting(signal, work, (rows) => rollbackReadBack(name, rows), target);
  } finally {
    detach();
  }
  const ranDownSql = plan.kind === 'down-sql' || runDownForFailed;
  const message =
    plan.kind === 'down-sql'
      ? `${name} is rolled back: down.sql ran and its record is gone, so it is pending again (for Prisma too).`
      : `${name} is recorded as rolled back${runDownForFailed ? ' after its down.sql ran' : ''}; the next run applies it again. (Prisma's \`migrate status\` no longer lists it, yet \`migrate deploy\` would apply it again.)`;
  return { name, outcome: 'rolled-back', kind: plan.kind, ranDownSql, message };
}
