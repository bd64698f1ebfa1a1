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
import { LostAnswerWatch, lostWriting } from './lostAnswer.js';
import { requireProject } from './project.js';
import { refuseStandbyTarget } from './standby.js';

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

/** What a rollback will do; `expected`: what it found when it asked (decided again under Prisma's lock). */
export interface RollbackPlanned {
  name: string;
  force: boolean;
  runDownForFailed: boolean;
  allowForeignHistory?: boolean;
  expected?: RollbackPlan;
  question?: Question;
}

/**
 * The rollback's plan. `asking` false: confirmed beforehand (--yes), so nothing is read here: the
 * engine decides under Prisma's lock. Asking: the plan and its question with down.sql's statements
 * and the latest verified backup.
 */
export async function prepareRollback(
  ws: Workspace,
  input: { name: string; force?: boolean; runDownForFailed?: boolean; allowForeignHistory?: boolean },
  opts: { asking: boolean },
): Promise<RollbackPlanned> {
  requireProject(ws, 'roll back a migration');
  const folder = await ws.folder();
  const name = findMigration(folder, input.name).name;
  // Before the question and before any session that writes: a standby runs no down.sql.
  await refuseStandbyTarget(
    ws,
    `roll back ${name}`,
    `Stopped before the rollback of ${name} began; nothing was changed.`,
  );
  const planned: RollbackPlanned = {
    name,
    force: Boolean(input.force),
    runDownForFailed: Boolean(input.runDownForFailed),
    allowForeignHistory: input.allowForeignHistory,
  };
  if (!opts.asking) return planned;
  const expected = await planRollback(ws.target(), folder, name);
  const briefing = [
    ...(expected.downSql !== undefined ? await downSqlLines(expected.downSql) : []),
    await latestBackupLine(ws),
  ];
  return { ...planned, expected, question: rollbackQuestion(ws, expected, planned.force, briefing) };
}

/**
 * Asks the plan's question; for a failed migration that has a down.sql, whether to run it first.
 * A decline is journalled. The plan to execute, or none.
 */
export async function confirmRollback(
  ws: Workspace,
  plan: RollbackPlanned,
  ask: Ask,
): Promise<RollbackPlanned | undefined> {
  if (!plan.question) return plan;
  const answer = await ask(plan.question);
  if (!answer.confirmed) {
    (await ws.journal()).event('rollback-declined', { name: plan.name });
    return undefined;
  }
  const expected = plan.expected;
  if (expected?.kind === 'mark-rolled-back' && expected.downSql !== undefined && !plan.runDownForFailed) {
    const again = await ask({
      title: `Run down.sql of ${plan.name} first?`,
      lines: ['To undo what a non-atomic attempt left behind before recording it rolled back.'],
      kind: 'y',
      verb: 'run its down.sql first',
      deliberate: true,
    });
    return { ...plan, runDownForFailed: again.confirmed };
  }
  return plan;
}

/**
 * Applied: runs down.sql and removes its record, so it is pending again; failed: records it rolled
 * back (after its down.sql when `runDownForFailed`). Journalled through the engine's events.
 */
export async function executeRollback(
  ws: Workspace,
  plan: RollbackPlanned,
  io: { events?: EventStream } = {},
): Promise<Extract<RollbackOutcome, { outcome: 'rolled-back' }>> {
  const { name, force, runDownForFailed } = plan;
  const folder = await ws.folder();
  const target = ws.target();
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
  const answers = new LostAnswerWatch(target);
  let done: RollbackPlan;
  try {
    const signal = ws.signal;
    if (signal?.aborted) throw new UserError(notBegun, 'interrupted');
    const work = rollbackMigration({
      onSession: (db, pid) => answers.watch(db, pid),
      expectServer,
      target,
      folder,
      name,
      events,
      force,
      runDownForFailed,
      allowForeignHistory: plan.allowForeignHistory,
      directUrlVariable: ws.project().directUrlVariable,
      diagnose: diagnoseFailure,
      signal,
    });
    const said = (rows: HistoryRow[]) => rollbackReadBack(name, rows);
    done = await answers.race(
      stopWriting(signal, work, said, target, () => answers.pids()),
      (lost) => lostWriting(target, lost, answers, 'the rollback', said),
    );
  } finally {
    answers.stop();
    detach();
    answers.close();
  }
  const ranDownSql = done.kind === 'down-sql' || runDownForFailed;
  const message =
    done.kind === 'down-sql'
      ? `${name} is rolled back: down.sql ran and its record is gone, so it is pending again (for Prisma too).`
      : `${name} is recorded as rolled back${runDownForFailed ? ' after its down.sql ran' : ''}; the next run applies it again. (Prisma's \`migrate status\` no longer lists it, yet \`migrate deploy\` would apply it again.)`;
  return { name, outcome: 'rolled-back', kind: done.kind, ranDownSql, message };
}

/** The rollback in one call (prepare, ask, execute). `ask` null: confirmed beforehand. */
export async function rollbackOperation(
  ws: Workspace,
  input: { name: string; force?: boolean; runDownForFailed?: boolean; allowForeignHistory?: boolean },
  io: { ask: Ask | null; events?: EventStream },
): Promise<RollbackOutcome> {
  const prepared = await prepareRollback(ws, input, { asking: io.ask !== null });
  const plan = io.ask ? await confirmRollback(ws, prepared, io.ask) : prepared;
  if (!plan) return { name: prepared.name, outcome: 'declined' };
  return executeRollback(ws, plan, io);
}
