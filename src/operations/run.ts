import { EventStream } from '../engine/events.js';
import { runMigrations, type RunOptions, type RunResult } from '../engine/run.js';
import type { MigrationResult } from '../engine/migrationTypes.js';
import { UserError } from '../errors.js';
import { withStopDeadline, committedOf, STOP_DEADLINE_MS } from './stopDeadline.js';
import { runnable, type MigrationStatus } from '../runbook/status.js';
import { compareMigrationNames } from '../runbook/folder.js';
import { diagnoseFailure } from '../analysis/hint.js';
import { statusOperation } from './status.js';
import { attachRecorders } from './attach.js';
import { confirmationFor, type Ask, type Question } from './confirm.js';
import { MODE_WORDS, planErrorsQuestion } from './runBriefing.js';
import { readRunBriefing } from './runBriefingRead.js';
import type { Workspace } from './workspace.js';
import { requireProject } from './project.js';
import { refuseStandby } from '../postgres/identity.js';
import { openHold, type HoldLimits } from './hold.js';

export type RunInput = Omit<
  RunOptions,
  'target' | 'folder' | 'events' | 'mode' | 'diagnose' | 'directUrlVariable' | 'hold'
> & {
  /** Hold, don't abort (--max-lag, --max-archive-backlog, --max-hold): see hold.ts. */
  limits?: HoldLimits;
};

/** abandoned: the stop was not answered in time (a stalled connection); the sentence says what the server committed. */
export type RunOutcome =
  | (RunResult & { abandoned?: string })
  | { mode: 'live' | 'rehearsal'; outcome: 'declined'; migrations: []; durationMs: 0 };

/** The migrations a run would apply, in order. */
export function toApply(states: MigrationStatus[], input: Pick<RunInput, 'to' | 'only'>): MigrationStatus[] {
  const todo = runnable(states, input.to);
  return input.only ? todo.slice(0, input.only) : todo;
}

/** The run's question; `briefing`: the lines the console's run dialog shows too (runBriefing.ts). */
export function runQuestion(ws: Workspace, pending: { name: string }[], briefing?: string[]): Question {
  const target = ws.target();
  return {
    title: pending.length === 1 ? `Run ${pending[0]!.name}?` : `Run ${pending.length} pending migrations?`,
    lines: briefing ?? [
      `Apply to ${target.display} (${MODE_WORDS[ws.mode]}), in this order:`,
      ...pending.map((m) => `  · ${m.name}`),
    ],
    verb: pending.length === 1 ? 'run it' : 'run them',
    ...confirmationFor(ws.mode, true, target.database),
  };
}

/**
 * Applies the pending migrations, recorded in the journal and told to the team. `ask` null: the
 * caller has confirmed already (--yes, or the console's run dialog), and nothing is read before
 * the engine starts, which keeps a scripted run's start short.
 */
export async function runOperation(
  ws: Workspace,
  input: RunInput,
  io: { ask: Ask | null; events?: EventStream },
): Promise<RunOutcome> {
  requireProject(ws, 'apply migrations');
  const folder = await ws.folder();
  // Before the question and before any session that writes: a standby takes no migration.
  if (ws.mode === 'live') refuseStandby(await ws.identity(), 'apply migrations');
  const mode = ws.mode === 'rehearsal' ? 'rehearsal' : 'live';
  let confirmed = input.names;
  if (io.ask) {
    const pending = toApply((await statusOperation(ws)).states, input);
    if (!pending.length) return { mode, outcome: 'nothing-to-do', migrations: [], durationMs: 0 };
    const brief = await readRunBriefing(ws, pending, input);
    const answer = await io.ask(
      runQuestion(ws, pending, [...brief.lines, 'The run stops at the first failure; Ctrl-C stops it cleanly.']),
    );
    // plan's errors take a second, deliberate yes, as in the console's run dialog
    const again =
      answer.confirmed && brief.errors.length
        ? await io.ask({ ...planErrorsQuestion(brief.errors), kind: 'y', deliberate: true })
        : answer;
    if (!again.confirmed) {
      (await ws.journal()).event('run-declined', {
        migrations: pending.map((m) => m.name),
        ...(answer.confirmed ? { planErrors: brief.errors.length } : {}),
      });
      return { mode, outcome: 'declined', migrations: [], durationMs: 0 };
    }
    // What was confirmed is what runs: the engine refuses if another runner took one meanwhile.
    confirmed = pending.map((m) => m.name);
  }
  const events = io.events ?? new EventStream();
  // The journal and the server the command resolved: the engine's session must show the same one.
  const [journal, expectServer] = await Promise.all([ws.journal(), ws.identity()]);
  // Before a connection is opened or Prisma's lock taken: a journal that cannot be kept stops here.
  journal.ready();
  // A line the journal cannot write stops the run as Ctrl-C does (the running statement is
  // cancelled, its migration rolled back): nothing is done that the journal does not know of.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (input.signal?.aborted) stop.abort();
  input.signal?.addEventListener('abort', onAbort, { once: true });
  const offFailure = journal.onFailure(onAbort);
  const detach = attachRecorders(ws, events, journal);
  let pending: string[] = [];
  const offPending = events.on((e) => void (e.type === 'run-start' && (pending = e.pending)));
  const t0 = Date.now();
  let result: RunResult & { abandoned?: string };
  const { limits, ...engineInput } = input;
  const hold = openHold(ws.target(), limits);
  try {
    const running = runMigrations({
      expectServer,
      ...engineInput,
      hold: hold.policy,
      names: confirmed,
      signal: stop.signal,
      target: ws.target(),
      folder,
      events,
      mode,
      diagnose: diagnoseFailure,
      directUrlVariable: ws.project().directUrlVariable,
    });
    result = await withStopDeadline(input.signal, running, () => abandonedRun(ws, mode, pending, Date.now() - t0));
  } finally {
    await hold.close().catch(() => undefined);
    offPending();
    detach();
    offFailure();
    input.signal?.removeEventListener('abort', onAbort);
  }
  if (journal.failed) throw stoppedByJournal(journal.failed, result);
  return result;
}

/** The run a stop could not end in time: what a new session reads back, journalled and in one sentence. */
async function abandonedRun(
  ws: Workspace,
  mode: RunResult['mode'],
  pending: string[],
  durationMs: number,
): Promise<RunResult & { abandoned: string }> {
  const committed = await committedOf(ws.target(), pending);
  const applied = pending.filter((n) => committed?.has(n));
  const rest = pending.filter((n) => !committed?.has(n));
  const wait = `${STOP_DEADLINE_MS / 1000} s`;
  const abandoned = !committed
    ? `Stopped without an answer from the server within ${wait}, and a new session could not ask it what was committed: run \`citadel-migrate status\` once it answers${pending.length ? ` (this run was applying ${pending.join(', ')})` : ''}.`
    : `Stopped without an answer from the server within ${wait}; read back from a new session: ${applied.length ? `applied ${applied.join(', ')}` : 'no migration was applied'}${rest.length ? `; not applied ${rest.join(', ')}` : ''}.`;
  try {
    (await ws.journal()).event('run.abandoned', {
      pending,
      applied: committed ? applied : null,
      notApplied: committed ? rest : null,
    });
  } catch {
    // the sentence on the screen is all that can be done then
  }
  const migrations = pending.map((name) => ({
    name,
    outcome: committed?.has(name) ? ('applied' as const) : ('not-run' as const),
    durationMs: 0,
    statements: 0,
    atomic: true,
  }));
  return { mode, outcome: 'interrupted', migrations, durationMs, abandoned };
}

/** The one sentence after the journal failed during a run: what the server committed, and what not. */
function stoppedByJournal(failure: UserError, result: RunResult): UserError {
  const names = (ms: MigrationResult[]) => ms.map((m) => m.name).join(', ');
  const applied = result.migrations.filter((m) => m.outcome === 'applied');
  const partial = result.migrations.filter((m) => m.outcome === 'failed' && m.interrupted);
  const rest = result.migrations.filter((m) => m.outcome !== 'applied' && !(m.outcome === 'failed' && m.interrupted));
  const parts = [
    applied.length ? `applied ${names(applied)}` : 'no migration was applied',
    ...(partial.length ? [`${names(partial)} stopped part-way (its committed statements remain)`] : []),
    ...(rest.length ? [`not applied ${names(rest)}`] : []),
  ];
  return new UserError(
    `${failure.message.slice(0, -1)}, so the run stopped: ${parts.join('; ')}; make room for the journal (or pass --journal-dir), then see \`citadel-migrate status\`.`,
    'failed',
    failure.detail,
  );
}
