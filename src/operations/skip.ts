import { EventStream } from '../engine/events.js';
import { describeSkip, skipMigration } from '../engine/resolve.js';
import { findMigration } from '../runbook/folder.js';
import { UserError } from '../errors.js';
import { attachRecorders } from './attach.js';
import { confirmationFor, type Ask, type Question } from './confirm.js';
import { stopReading, stopWriting } from './stopDeadline.js';
import { LostAnswerWatch, lostWriting } from './lostAnswer.js';
import type { HistoryRow } from '../runbook/history.js';
import type { MigrationStatus } from '../runbook/status.js';
import type { Workspace } from './workspace.js';
import { requireProject } from './project.js';
import { refuseStandbyTarget } from './standby.js';

const WHAT_SKIP_DOES = (name: string) => [
  `Mark ${name} applied WITHOUT running its SQL (what prisma migrate resolve --applied does): its changes will not be made.`,
  'Do this only when its changes are already in the database (made by hand) or must never be made.',
];

export type SkipOutcome = { name: string; outcome: 'skipped'; reason: string } | { name: string; outcome: 'declined' };

/** What a skip will do: mark `name` applied, with `reason` kept in the journal. */
export interface SkipPlan {
  name: string;
  /** Empty: asked for first (the console's dialog); the CLI requires --reason instead. */
  reason: string;
  allowForeignHistory?: boolean;
  /** The migration's state as the question shows it; read only when the database name is asked for. */
  state?: MigrationStatus['state'];
  /** The first question: the reason when there is none yet, else the confirmation. */
  question?: Question;
}

const reasonQuestion = (name: string): Question => ({
  title: `Skip ${name}?`,
  lines: [...WHAT_SKIP_DOES(name), 'The reason is kept in the journal for the post-mortem.'],
  kind: 'reason',
  verb: 'skip it',
});

function skipQuestion(ws: Workspace, name: string, state: string, reason: string): Question {
  const target = ws.target();
  return {
    title: `Skip ${name}?`,
    lines: [`${name} is ${state} on ${target.display}.`, ...WHAT_SKIP_DOES(name), `Reason: ${reason}`],
    verb: 'skip it',
    ...confirmationFor(ws.mode, true, target.database, true),
  };
}

/**
 * The skip's plan. `asking` false: confirmed beforehand (--yes), so nothing is read here. Off a
 * LIVE database a typed reason is the confirmation; on LIVE the database name is typed too.
 */
export async function prepareSkip(
  ws: Workspace,
  input: { name: string; reason?: string; allowForeignHistory?: boolean },
  opts: { asking: boolean },
): Promise<SkipPlan> {
  requireProject(ws, 'mark a migration applied');
  const folder = await ws.folder();
  const name = findMigration(folder, input.name).name;
  // Before the questions and before any session that writes: a standby's history is read-only.
  await refuseStandbyTarget(ws, `skip ${name}`, `Stopped before the skip of ${name} began; nothing was changed.`);
  const reason = input.reason?.trim() ?? '';
  const plan: SkipPlan = { name, reason, allowForeignHistory: input.allowForeignHistory };
  if (!reason && !opts.asking)
    throw new UserError(
      'Skipping a migration needs a reason ("why"): the journal keeps it for the post-mortem.',
      'bad-input',
    );
  if (!opts.asking) return plan;
  if (reason || ws.mode === 'live') plan.state = (await describeSkip(ws.target(), folder, name)).state;
  plan.question = reason ? skipQuestion(ws, name, plan.state!, reason) : reasonQuestion(name);
  return plan;
}

/** Asks for the reason (when there is none) and the confirmation; a decline is journalled. The plan to execute, or none. */
export async function confirmSkip(ws: Workspace, plan: SkipPlan, ask: Ask): Promise<SkipPlan | undefined> {
  let reason = plan.reason;
  if (!reason) {
    const a = await ask(reasonQuestion(plan.name));
    reason = a.text?.trim() ?? '';
    if (!a.confirmed || !reason) return declined(ws, plan.name);
  }
  if (plan.state !== undefined) {
    const answer = await ask(skipQuestion(ws, plan.name, plan.state, reason));
    if (!answer.confirmed) return declined(ws, plan.name);
  }
  return { ...plan, reason };
}

/** Marks the plan's migration applied without running it, journalled through the engine's events. */
export async function executeSkip(
  ws: Workspace,
  plan: SkipPlan,
  io: { events?: EventStream } = {},
): Promise<{ name: string; outcome: 'skipped'; reason: string }> {
  const { name, reason } = plan;
  if (!reason) throw new UserError('Skipping a migration needs a reason ("why"): confirm the skip first.', 'bad-input');
  const folder = await ws.folder();
  const target = ws.target();
  const events = io.events ?? new EventStream();
  // The journal and the server the command resolved: the engine's session must show the same one.
  const notBegun = `Stopped before the skip of ${name} began; nothing was changed.`;
  const [journal, expectServer] = await stopReading(
    ws.signal,
    Promise.all([ws.journal(), ws.identity()]),
    'skip',
    notBegun,
  );
  const detach = attachRecorders(ws, events, journal);
  const answers = new LostAnswerWatch(target);
  try {
    if (ws.signal?.aborted) throw new UserError(notBegun, 'interrupted');
    const work = skipMigration({
      onSession: (db, pid) => answers.watch(db, pid),
      expectServer,
      target,
      folder,
      name,
      reason,
      events,
      allowForeignHistory: plan.allowForeignHistory,
      directUrlVariable: ws.project().directUrlVariable,
      signal: ws.signal,
    });
    const said = (rows: HistoryRow[]) => skipReadBack(name, rows);
    await answers.race(
      stopWriting(ws.signal, work, said, target, () => answers.pids()),
      (lost) => lostWriting(target, lost, answers, 'the skip', said),
    );
  } finally {
    answers.stop();
    detach();
    answers.close();
  }
  return { name, outcome: 'skipped', reason };
}

/**
 * `prisma migrate resolve --applied` in one call (prepare, ask, execute): marks NAME applied
 * without running it, with the reason kept in the journal. `ask` null: confirmed beforehand.
 */
export async function skipOperation(
  ws: Workspace,
  input: { name: string; reason?: string; allowForeignHistory?: boolean },
  io: { ask: Ask | null; events?: EventStream },
): Promise<SkipOutcome> {
  const prepared = await prepareSkip(ws, input, { asking: io.ask !== null });
  const plan = io.ask ? await confirmSkip(ws, prepared, io.ask) : prepared;
  if (!plan) return { name: prepared.name, outcome: 'declined' };
  return executeSkip(ws, plan, io);
}

/** Where migration `name` stands in `_prisma_migrations`, as a stopped skip says it. */
function skipReadBack(name: string, rows: HistoryRow[]): string {
  const applied = rows.some((r) => r.migration_name === name && r.finished_at && !r.rolled_back_at);
  return applied ? `${name} is marked applied` : `${name} is not marked applied`;
}

async function declined(ws: Workspace, name: string): Promise<undefined> {
  (await ws.journal()).event('skip-declined', { name });
  return undefined;
}
