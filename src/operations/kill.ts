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
import { confirmationFor, type Ask } from './confirm.js';
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

/**
 * Cancels a backend's query or terminates its session, after showing it and asking. A terminate
 * on a LIVE database needs the database name typed; a cancel, which loses no committed work, a y.
 * `ownPids`: this process's own sessions, which are stopped by their own keys instead.
 */
export async function killOperation(
  ws: Workspace,
  input: { pid: number; how: SignalHow; ownPids?: number[] },
  io: { ask: Ask | null; db?: Db; onSession?: (lines: string[]) => void },
): Promise<KillOutcome> {
  const target = ws.target();
  const work = async (db: Db): Promise<KillOutcome> => {
    const { pid, how } = input;
    const backend = await findBackend(db, pid);
    const refused = refusal(pid, backend, target.database, input.ownPids);
    if (refused || !backend) throw new UserError(refused ?? `No session with pid ${pid}.`, 'bad-input');
    const session = sessionRecord(backend);
    io.onSession?.(describeBackend(backend));
    const nothing = how === 'cancel' ? nothingToCancel(backend) : undefined;
    if (nothing) return { outcome: 'nothing-to-cancel', pid, how, session, ok: false, message: nothing };
    if (io.ask) {
      const answer = await io.ask({
        title: how === 'cancel' ? `Cancel the query of session ${pid}?` : `Terminate session ${pid}?`,
        lines: [...describeBackend(backend), WHAT_IT_DOES[how]],
        verb: how === 'cancel' ? 'cancel its query' : 'terminate it',
        ...confirmationFor(ws.mode, how === 'terminate', target.database, how === 'terminate'),
      });
      if (!answer.confirmed) {
        (await ws.journal()).event('kill-declined', { pid, how, session });
        return { outcome: 'declined', pid, how, session, ok: false };
      }
    }
    if (ws.signal?.aborted) throw notSignalled();
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
    return { outcome: 'signalled', session, ...out };
  };
  const notSignalled = () =>
    new UserError(`Stopped before session ${input.pid} was signalled; nothing was changed.`, 'interrupted');
  let sent = false;
  if (io.db) return work(io.db);
  const working = withDb(target, work, { applicationName: 'citadel-migrate kill' });
  // Before the signal is sent a stop ends at once; after it, the server has the deadline to answer.
  const stalled = async (): Promise<KillOutcome> => {
    if (!sent) throw notSignalled();
    return withStopDeadline(ws.signal, working, () => killReadBack(ws, input.pid, input.how), STOP_DEADLINE_MS);
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
