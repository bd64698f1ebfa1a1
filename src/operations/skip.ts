import { EventStream } from '../engine/events.js';
import { describeSkip, skipMigration } from '../engine/resolve.js';
import { findMigration } from '../runbook/folder.js';
import { UserError } from '../errors.js';
import { attachRecorders } from './attach.js';
import { confirmationFor, type Ask } from './confirm.js';
import { stopReading, stopWriting } from './stopDeadline.js';
import type { HistoryRow } from '../runbook/history.js';
import type { Workspace } from './workspace.js';
import { requireProject } from './project.js';
import { refuseStandby } from '../postgres/identity.js';

const WHAT_SKIP_DOES = (name: string) => [
  `Mark ${name} applied WITHOUT running its SQL (what prisma migrate resolve --applied does): its changes will not be made.`,
  'Do this only when its changes are already in the database (made by hand) or must never be made.',
];

export type SkipOutcome = { name: string; outcome: 'skipped'; reason: string } | { name: string; outcome: 'declined' };

/**
 * `prisma migrate resolve --applied`: marks NAME applied without running it, with the reason kept
 * in the journal. Without a reason the front end is asked for one (the console's dialog); the CLI
 * requires --reason instead.
 */
export async function skipOperation(
  ws: Workspace,
  input: { name: string; reason?: string; allowForeignHistory?: boolean },
  io: { ask: Ask | null; events?: EventStream },
): Promise<SkipOutcome> {
  requireProject(ws, 'mark a migration applied');
  const folder = await ws.folder();
  const name = findMigration(folder, input.name).name;
  const target = ws.target();
  // Before the questions and before any session that writes: a standby's history is read-only.
  if (ws.mode === 'live') refuseStandby(await ws.identity(), `skip ${name}`);
  let reason = input.reason?.trim() ?? '';
  const askedForReason = !reason;
  if (!reason) {
    if (!io.ask)
      throw new UserError(
        'Skipping a migration needs a reason ("why"): the journal keeps it for the post-mortem.',
        'bad-input',
      );
    const a = await io.ask({
      title: `Skip ${name}?`,
      lines: [...WHAT_SKIP_DOES(name), 'The reason is kept in the journal for the post-mortem.'],
      kind: 'reason',
      verb: 'skip it',
    });
    reason = a.text?.trim() ?? '';
    if (!a.confirmed || !reason) return declined(ws, name);
  }
  // Off a LIVE database the typed reason was the confirmation; on LIVE the database name is typed too.
  if (io.ask && !(askedForReason && ws.mode !== 'live')) {
    const state = await describeSkip(target, folder, name);
    const answer = await io.ask({
      title: `Skip ${name}?`,
      lines: [`${name} is ${state.state} on ${target.display}.`, ...WHAT_SKIP_DOES(name), `Reason: ${reason}`],
      verb: 'skip it',
      ...confirmationFor(ws.mode, true, target.database, true),
    });
    if (!answer.confirmed) return declined(ws, name);
  }
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
  try {
    if (ws.signal?.aborted) throw new UserError(notBegun, 'interrupted');
    const work = skipMigration({
      expectServer,
      target,
      folder,
      name,
      reason,
      events,
      allowForeignHistory: input.allowForeignHistory,
      directUrlVariable: ws.project().directUrlVariable,
      signal: ws.signal,
    });
    await stopWriting(ws.signal, work, (rows) => skipReadBack(name, rows), target);
  } finally {
    detach();
  }
  return { name, outcome: 'skipped', reason };
}

/** Where migration `name` stands in `_prisma_migrations`, as a stopped skip says it. */
function skipReadBack(name: string, rows: HistoryRow[]): string {
  const applied = rows.some((r) => r.migration_name === name && r.finished_at && !r.rolled_back_at);
  return applied ? `${name} is marked applied` : `${name} is not marked applied`;
}

async function declined(ws: Workspace, name: string): Promise<SkipOutcome> {
  (await ws.journal()).event('skip-declined', { name });
  return { name, outcome: 'declined' };
}
