import { EventStream } from '../engine/events.js';
import {
  closeRunSessions,
  openRunSessions,
  runMigrations,
  type RunOptions,
  type RunResult,
  type RunSessions,
} from '../engine/run.js';
import type { MigrationResult } from '../engine/migrationTypes.js';
import { UserError } from '../errors.js';
import { withStopDeadline, committedOf, endOwnBackends, STOP_DEADLINE_MS } from './stopDeadline.js';
import { LostAnswerWatch, lostAnswerWords, type LostAnswer } from './lostAnswer.js';
import { backendPid, dropSession } from '../postgres/roundTrip.js';
import { runnable, type MigrationStatus } from '../runbook/status.js';
import { findMigration } from '../runbook/folder.js';
import type { Journal } from '../journal/journal.js';
import type { Db } from '../postgres/connect.js';
import type { Finding } from '../analysis/findings.js';
import { diagnoseFailure } from '../analysis/hint.js';
import { attachRecorders } from './attach.js';
import { confirmationFor, type Ask, type Question } from './confirm.js';
import { MODE_WORDS, planErrorsQuestion } from './runBriefing.js';
import type { Workspace } from './workspace.js';
import { requireProject } from './project.js';
import { refuseStandbyTarget } from './standby.js';
import { refuseStandby } from '../postgres/identity.js';
import { openHold, runbookMaxLag, type HoldLimits } from './hold.js';

export type RunInput = Omit<
  RunOptions,
  | 'target'
  | 'folder'
  | 'events'
  | 'mode'
  | 'diagnose'
  | 'directUrlVariable'
  | 'hold'
  | 'onSession'
  | 'expectServer'
  | 'abandoned'
  | 'sessions'
> & {
  /** Hold, don't abort (--max-lag, --max-archive-backlog, --max-hold): see hold.ts. */
  limits?: HoldLimits;
};

/**
 * abandoned: the stop was not answered in time, or the server finished and its answer never came
 * (a stalled connection); the sentence says what the server committed.
 */
export type ExecutedRun = RunResult & { abandoned?: string };
export type RunOutcome =
  | ExecutedRun
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
 * What a run will do. `names`: exactly these migrations, in this order (what the question listed,
 * or what the console's dialog confirmed); the engine refuses if another runner took one meanwhile.
 * Without names (confirmed beforehand: --yes), the pending ones up to --to, read under Prisma's lock.
 */
export interface RunPlan {
  mode: 'live' | 'rehearsal';
  input: RunInput;
  names?: string[];
  /** The status read showed nothing pending: the run ends there, with nothing opened. */
  nothingToDo?: boolean;
  /** Asked before the run; none when nothing is pending or the caller confirmed beforehand. */
  question?: Question;
  /** plan's findings of error level: after a yes, a second, deliberate yes (as in the console's run dialog). */
  planErrors: Finding[];
  /** Confirmed beforehand: the run's two sessions, logging in since the plan began (executeRun takes them over). */
  sessions?: Promise<RunSessions>;
}

/**
 * The run's plan. `asking` false: the caller has confirmed already (--yes, or the console's run
 * dialog), and nothing is read before the engine starts, which keeps a scripted run's start short.
 * `--to` is resolved here, once, to the folder's own name.
 */
export async function prepareRun(ws: Workspace, input: RunInput, opts: { asking: boolean }): Promise<RunPlan> {
  requireProject(ws, 'apply migrations');
  if (!opts.asking) {
    // Confirmed beforehand (--yes): the run's two sessions log in while the folder is read, and the
    // run's own session is then asked who the server is, and a standby refused there, before
    // Prisma's lock or any write (executeRun's onSession).
    const sessions = connectAhead(ws);
    try {
      return { ...(await planOf(ws, input)), names: input.names, planErrors: [], sessions };
    } catch (err) {
      closeRunSessions(sessions);
      throw err;
    }
  }
  const { mode, input: resolved } = await planOf(ws, input);
  // What only the question needs (the status, the briefing's reads) loads only when there is one to ask.
  const [{ statusOperation }, { readRunBriefing }] = await Promise.all([
    import('./status.js'),
    import('./runBriefingRead.js'),
  ]);
  // Before the question: a standby takes no migration.
  await refuseStandbyTarget(ws, 'apply migrations', 'Stopped before the run began; nothing was applied.');
  const pending = toApply((await statusOperation(ws)).states, resolved);
  if (!pending.length) return { mode, input: resolved, names: [], nothingToDo: true, planErrors: [] };
  const brief = await readRunBriefing(ws, pending, resolved);
  return {
    mode,
    input: resolved,
    names: pending.map((m) => m.name),
    question: runQuestion(ws, pending, [
      ...brief.lines,
      'The run stops at the first failure; Ctrl-C stops it cleanly.',
    ]),
    planErrors: brief.errors,
  };
}

/** The run's mode, and its input with `--to` resolved to the folder's own name. */
async function planOf(ws: Workspace, input: RunInput): Promise<Pick<RunPlan, 'mode' | 'input'>> {
  const folder = await ws.folder();
  const mode = ws.mode === 'rehearsal' ? 'rehearsal' : 'live';
  return { mode, input: { ...input, ...(input.to !== undefined ? { to: findMigration(folder, input.to).name } : {}) } };
}

/**
 * The run's sessions, opened now. A target that cannot be resolved opens nothing: its error comes
 * where it always did, after the folder's. A failed login is seen by the run, and said then.
 */
function connectAhead(ws: Workspace): Promise<RunSessions> | undefined {
  let target: ReturnType<Workspace['target']>;
  try {
    target = ws.target();
  } catch {
    return undefined;
  }
  const sessions = openRunSessions(target);
  sessions.catch(() => undefined);
  return sessions;
}

/** Asks the plan's question (and plan's errors after a yes); a decline is journalled. True: go on. */
export async function confirmRun(ws: Workspace, plan: RunPlan, ask: Ask): Promise<boolean> {
  if (!plan.question) return true;
  const answer = await ask(plan.question);
  const again =
    answer.confirmed && plan.planErrors.length
      ? await ask({ ...planErrorsQuestion(plan.planErrors), kind: 'y', deliberate: true })
      : answer;
  if (again.confirmed) return true;
  (await ws.journal()).event('run-declined', {
    migrations: plan.names ?? [],
    ...(answer.confirmed ? { planErrors: plan.planErrors.length } : {}),
  });
  return false;
}

export const declinedRun = (plan: RunPlan): RunOutcome => ({
  mode: plan.mode,
  outcome: 'declined',
  migrations: [],
  durationMs: 0,
});

/**
 * Applies exactly the plan, recorded in the journal and told to the team. The journal is keyed by
 * the server the run's own session reaches (no connection of its own) and readied before Prisma's
 * lock is taken; `onJournal` hands it to the front end then (the CLI's ETAs read rehearsals from it).
 */
export async function executeRun(
  ws: Workspace,
  plan: RunPlan,
  io: { events?: EventStream; onJournal?: (journal: Journal) => void } = {},
): Promise<ExecutedRun> {
  const { mode, input } = plan;
  if (plan.nothingToDo) return { mode, outcome: 'nothing-to-do', migrations: [], durationMs: 0 };
  let folder: Awaited<ReturnType<Workspace['folder']>>;
  try {
    folder = await ws.folder();
  } catch (err) {
    closeRunSessions(plan.sessions);
    throw err;
  }
  const events = io.events ?? new EventStream();
  // A line the journal cannot write stops the run as Ctrl-C does (the running statement is
  // cancelled, its migration rolled back): nothing is done that the journal does not know of.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (input.signal?.aborted) stop.abort();
  input.signal?.addEventListener('abort', onAbort, { once: true });
  let journal: Journal | undefined;
  const off: (() => void)[] = [];
  // The run's two sessions, watched from the run's start, ended on the server and dropped here when abandoned.
  let sessions: Db[] = [];
  let abandoned = false;
  const answers = new LostAnswerWatch(ws.target());
  // The server the command resolved (or, first asked here, the one this session reaches) and its
  // journal: a journal that cannot be kept stops the run before Prisma's lock is taken.
  const onSession = async (db: Db, watchDb: Db) => {
    sessions = [db, watchDb];
    const identity = await ws.identity(db, 'run migrations');
    if (ws.mode === 'live') refuseStandby(identity, 'apply migrations');
    journal = await ws.journal();
    journal.ready();
    off.push(journal.onFailure(onAbort), attachRecorders(ws, events, journal));
    io.onJournal?.(journal);
  };
  let pending: string[] = [];
  off.push(
    events.on((e) => {
      if (e.type !== 'run-start') return;
      pending = e.pending;
      const [db, watchDb] = sessions;
      // The pid the server gives; the watcher's announced one is its real pid only on a direct
      // connection (the engine's announced pid is the server's then too).
      if (db && watchDb && e.lockHolderPid)
        answers.watch(db, e.lockHolderPid, [watchDb], backendPid(db) === e.lockHolderPid ? [backendPid(watchDb)] : []);
    }),
  );
  const t0 = Date.now();
  let result: ExecutedRun;
  const { limits, ...engineInput } = input;
  // Until the engine takes them over, sessions opened ahead are this function's to close.
  let hold: Awaited<ReturnType<typeof openHold>>;
  let directUrlVariable: string | undefined;
  try {
    directUrlVariable = ws.project().directUrlVariable;
    // its own session (a refused or failed connection ends the run here)
    hold = await openHold(ws.target(), limits, await runbookMaxLag(ws));
  } catch (err) {
    closeRunSessions(plan.sessions);
    for (const f of off) f();
    input.signal?.removeEventListener('abort', onAbort);
    throw err;
  }
  try {
    const running = runMigrations({
      ...engineInput,
      hold: hold.policy,
      sessions: plan.sessions,
      holdWords: hold.words,
      names: plan.names,
      onSession,
      abandoned: () => abandoned,
      signal: stop.signal,
      target: ws.target(),
      folder,
      events,
      mode,
      diagnose: diagnoseFailure,
      directUrlVariable,
    });
    const giveUp = (lost?: LostAnswer) => {
      abandoned = true;
      return abandonedRun(ws, mode, { pending, durationMs: Date.now() - t0, pids: answers.pids(), lost });
    };
    const stopped = withStopDeadline(input.signal, running, () => giveUp());
    // Once the answer is lost, the run's own promise settles only when its sessions are dropped.
    stopped.catch(() => undefined);
    result = await Promise.race([stopped, answers.lost.then(giveUp)]);
  } finally {
    answers.stop();
    await hold.close().catch(() => undefined);
    for (const f of off) f();
    input.signal?.removeEventListener('abort', onAbort);
    // Dropped after the recorders are off: the engine's failing queries are no longer journalled.
    if (abandoned) for (const db of sessions) dropSession(db);
  }
  if (journal?.failed) throw stoppedByJournal(journal.failed, result);
  return result;
}

/**
 * Applies the pending migrations in one call (prepare, ask, execute): for a front end that has
 * nothing to add between them. `ask` null: the caller has confirmed already.
 */
export async function runOperation(
  ws: Workspace,
  input: RunInput,
  io: { ask: Ask | null; events?: EventStream },
): Promise<RunOutcome> {
  const plan = await prepareRun(ws, input, { asking: io.ask !== null });
  if (io.ask && !(await confirmRun(ws, plan, io.ask))) return declinedRun(plan);
  return executeRun(ws, plan, io);
}

/**
 * The run a stop could not end in time, or whose answer was lost: its backends are ended on the
 * server (they may hold locks, idle in transaction), then what a new session reads back is
 * journalled and said in one sentence.
 */
async function abandonedRun(
  ws: Workspace,
  mode: RunResult['mode'],
  run: { pending: string[]; durationMs: number; pids: number[]; lost?: LostAnswer },
): Promise<RunResult & { abandoned: string }> {
  const { pending, lost } = run;
  const ended = await endOwnBackends(ws.target(), run.pids);
  const committed = await committedOf(ws.target(), pending);
  const applied = pending.filter((n) => committed?.has(n));
  const rest = pending.filter((n) => !committed?.has(n));
  const why = lost
    ? lostAnswerWords(lost, ended, 'the run')
    : `Stopped without an answer from the server within ${STOP_DEADLINE_MS / 1000} s`;
  const abandoned = !committed
    ? `${why}, and a new session could not ask it what was committed: run \`citadel-migrate status\` once it answers${pending.length ? ` (this run was applying ${pending.join(', ')})` : ''}.`
    : `${why}; read back from a new session: ${applied.length ? `applied ${applied.join(', ')}` : 'no migration was applied'}${rest.length ? `; not applied ${rest.join(', ')}` : ''}.`;
  try {
    (await ws.journal()).event('run.abandoned', {
      pending,
      applied: committed ? applied : null,
      notApplied: committed ? rest : null,
      ...(lost ? { answerLostAfterMs: lost.deadlineMs } : {}),
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
  return { mode, outcome: 'interrupted', migrations, durationMs: run.durationMs, abandoned };
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
