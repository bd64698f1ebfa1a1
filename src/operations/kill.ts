import { withDb, type Db } from '../postgres/connect.js';
import {
  findBackend,
  nothingToCancel,
  refusal,
  signalBackend,
  type Backend,
  type SignalHow,
  type SignalOutcome,
} from '../monitor/signal.js';
import { duration } from '../monitor/text.js';
import { trimStatement } from '../monitor/progress.js';
import { notifierFor } from '../notify/forWorkspace.js';
import { UserError } from '../errors.js';
import { confirmationFor, type Ask, type Question } from './confirm.js';
import { journalled } from './journalled.js';
import { readBack, withStopDeadline, STOP_DEADLINE_MS } from './stopDeadline.js';
import type { Workspace } from './workspace.js';

/** The session as the journal, the JSON and the report keep it, the same from both front ends. */
export interface SessionRecord {
  pid: number;
  user: string;
  application: string;
  clientAddr: string | null;
  database: string;
  state: string;
  xactAgeMs: number | null;
  stateAgeMs: number | null;
  query: string;
}

export type { SignalHow };

export type KillOutcome =
  | ({ outcome: 'signalled'; session: SessionRecord } & SignalOutcome)
  | { outcome: 'nothing-to-cancel'; pid: number; how: SignalHow; session: SessionRecord; ok: false; message: string }
  | { outcome: 'declined'; pid: number; how: SignalHow; session: SessionRecord; ok: false };

export function sessionRecord(b: Backend): SessionRecord {
  return {
    pid: b.pid,
    user: b.user,
    application: b.application,
    clientAddr: b.clientAddr,
    database: b.database,
    state: b.state,
    xactAgeMs: b.xactAgeMs,
    stateAgeMs: b.stateAgeMs,
    query: b.query,
  };
}

/** The session, as shown before anyone is asked to signal it. */
export function describeBackend(b: Backend): string[] {
  const state = b.state.startsWith('idle in transaction')
    ? `${b.state.toUpperCase()} for ${duration(b.stateAgeMs)}`
    : `${b.state || '?'} for ${duration(b.stateAgeMs)}`;
  return [
    `Session ${b.pid} on ${b.database}`,
    `  user         ${b.user || '?'}`,
    `  application  ${b.application || '(none)'}${b.clientAddr ? `  from ${b.clientAddr}` : ''}`,
    `  state        ${state}${b.xactAgeMs !== null ? `, transaction open ${duration(b.xactAgeMs)}` : ''}${b.waitEventType === 'Lock' ? ', itself waiting for a lock' : ''}`,
    `  query        ${trimStatement(b.query, 300) || '(none)'}`,
  ];
}

const WHAT_IT_DOES: Record<SignalHow, string> = {
  cancel: 'pg_cancel_backend: its running query is cancelled; the session stays connected.',
  terminate: 'pg_terminate_backend: the session ends, its open transaction is rolled back and its locks are released.',
};

/** What a kill will do: signal session `pid` (as found when it was prepared) one way. */
export interface KillPlan {
  pid: number;
  how: SignalHow;
  backend: Backend;
  session: SessionRecord;
  /** The session as shown before anyone is asked. */
  lines: string[];
  /** A cancel with nothing to cancel (an idle session): said instead of signalling. */
  nothing?: string;
  question?: Question;
}

/**
 * The kill's plan: the session found and shown, refused when it is not one to signal (this
 * process's own, `ownPids`, or another database's). `asking`: with its question. A terminate on a
 * LIVE database needs the database name typed; a cancel, which loses no committed work, a y.
 */
export async function prepareKill(
  ws: Workspace,
  input: { pid: number; how: SignalHow; ownPids?: number[] },
  opts: { asking: boolean; db?: Db },
): Promise<KillPlan> {
  const target = ws.target();
  const find = async (db: Db): Promise<KillPlan> => {
    const { pid, how } = input;
    const backend = await findBackend(db, pid);
    const refused = refusal(pid, backend, target.database, input.ownPids);
    if (refused || !backend) throw new UserError(refused ?? `No session with pid ${pid}.`, 'bad-input');
    const lines = describeBackend(backend);
    const plan: KillPlan = { pid, how, backend, session: sessionRecord(backend), lines };
    const nothing = how === 'cancel' ? nothingToCancel(backend) : undefined;
    if (nothing) return { ...plan, nothing };
    if (!opts.asking) return plan;
    return {
      ...plan,
      question: {
        title: how === 'cancel' ? `Cancel the query of session ${pid}?` : `Terminate session ${pid}?`,
        lines: [...lines, WHAT_IT_DOES[how]],
        verb: how === 'cancel' ? 'cancel its query' : 'terminate it',
        ...confirmationFor(ws.mode, how === 'terminate', target.database, how === 'terminate'),
      },
    };
  };
  if (opts.db) return find(opts.db);
  // A stop while the session is being looked for ends at once: nothing has been signalled.
  const finding = withDb(target, find, { applicationName: 'citadel-migrate kill' });
  return withStopDeadline(ws.signal, finding, async () => notSignalled(input.pid), 0);
}

function notSignalled(pid: number): never {
  throw new UserError(`Stopped before session ${pid} was signalled; nothing was changed.`, 'interrupted');
}

/** Asks the plan's question; a decline is journalled. True: go on. */
export async function confirmKill(ws: Workspace, plan: KillPlan, ask: Ask): Promise<boolean> {
  if (!plan.question || plan.nothing) return true;
  const answer = await ask(plan.question);
  if (answer.confirmed) return true;
  (await ws.journal()).event('kill-declined', { pid: plan.pid, how: plan.how, session: plan.session });
  return false;
}

/** Signals the plan's session, journalled (intent, then result) and told to the team. */
export async function executeKill(
  ws: Workspace,
  plan: KillPlan,
  io: { db?: Db } = {},
): Promise<Exclude<KillOutcome, { outcome: 'declined' }>> {
  const { pid, how, backend, session } = plan;
  if (plan.nothing) return { outcome: 'nothing-to-cancel', pid, how, session, ok: false, message: plan.nothing };
  let sent = false;
  const work = async (db: Db) => {
    if (ws.signal?.aborted) notSignalled(pid);
    sent = true;
    const out = await journalled(
      ws,
      'kill',
      { pid, how, session },
      () => signalBackend(db, backend, how),
      (o) => ({ result: o.result, ok: o.ok, message: o.message, stateAfter: o.stateAfter }),
    );
    const notifier = await notifierFor(ws);
    notifier.send({
      event: 'kill',
      migration: null,
      outcome: out.ok ? 'done' : 'failed',
      pid,
      how,
      application: backend.application,
    });
    await notifier.settle();
    return { outcome: 'signalled' as const, session, ...out };
  };
  if (io.db) return work(io.db);
  const working = withDb(ws.target(), work, { applicationName: 'citadel-migrate kill' });
  // Before the signal is sent a stop ends at once; after it, the server has the deadline to answer.
  const stalled = async () => {
    if (!sent) notSignalled(pid);
    return withStopDeadline(ws.signal, working, () => killReadBack(ws, pid, how), STOP_DEADLINE_MS);
  };
  return withStopDeadline(ws.signal, working, stalled, 0);
}

/** After a stop with the signal sent and no answer: whether the session is still there, from a new session. */
async function killReadBack(ws: Workspace, pid: number, how: SignalHow): Promise<never> {
  const backend = await readBack(ws.target(), async (db) => (await findBackend(db, pid)) ?? null);
  const wait = `${STOP_DEADLINE_MS / 1000} s`;
  const said =
    backend === undefined
      ? `a new session could not ask it: run \`citadel-migrate locks\` to see whether session ${pid} is still there`
      : backend === null
        ? `read back from a new session: session ${pid} has ended`
        : `read back from a new session: session ${pid} is still there (${backend.state || '?'})${how === 'cancel' ? ', its query may or may not have been cancelled' : ''}`;
  throw new UserError(
    `Stopped after asking the server to ${how} session ${pid}, without its answer within ${wait}; ${said}.`,
    'interrupted',
  );
}

/**
 * Cancels a backend's query or terminates its session in one call (prepare, show, ask, execute),
 * on one connection. `ownPids`: this process's own sessions, which are stopped by their own keys instead.
 */
export async function killOperation(
  ws: Workspace,
  input: { pid: number; how: SignalHow; ownPids?: number[] },
  io: { ask: Ask | null; db?: Db; onSession?: (lines: string[]) => void },
): Promise<KillOutcome> {
  const work = async (db: Db): Promise<KillOutcome> => {
    const plan = await prepareKill(ws, input, { asking: io.ask !== null, db });
    io.onSession?.(plan.lines);
    if (io.ask && !(await confirmKill(ws, plan, io.ask)))
      return { outcome: 'declined', pid: plan.pid, how: plan.how, session: plan.session, ok: false };
    return executeKill(ws, plan, { db });
  };
  return io.db ? work(io.db) : withDb(ws.target(), work, { applicationName: 'citadel-migrate kill' });
}
