import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';

export type SignalHow = 'cancel' | 'terminate';

/** The session a DBA wants to cancel or terminate, as shown before acting. */
export interface Backend {
  pid: number;
  database: string;
  sameDatabase: boolean;
  isSelf: boolean;
  backendType: string;
  user: string;
  application: string;
  clientAddr: string | null;
  state: string;
  query: string;
  queryStart: string | null;
  waitEventType: string | null;
  xactAgeMs: number | null;
  stateAgeMs: number | null;
}

export type SignalResult =
  /** terminate: the session is gone */
  | 'terminated'
  /** cancel: the query stopped, the session stays */
  | 'cancelled'
  /** cancel: the session ended meanwhile */
  | 'gone'
  /** the signal was sent, but the session still runs the same query / still exists */
  | 'still-running'
  /** the server refused (the role may not signal that session) or the backend had vanished */
  | 'not-sent'
  /** sent, but this role cannot see the session's state to tell what it did */
  | 'unverified';

export interface SignalOutcome {
  pid: number;
  how: SignalHow;
  result: SignalResult;
  ok: boolean;
  /** One sentence for the DBA. */
  message: string;
  /** The session after a cancel (still connected: its state now). */
  stateAfter?: string;
}

export async function findBackend(db: Db, pid: number): Promise<Backend | undefined> {
  const r = (await db.query(sqlFile('backend_to_signal'), [pid])).rows[0];
  if (!r) return undefined;
  return {
    pid: Number(r.pid),
    database: r.database,
    sameDatabase: Boolean(r.same_database),
    isSelf: Boolean(r.is_self),
    backendType: r.backend_type ?? '',
    user: r.user,
    application: r.application,
    clientAddr: r.client_addr ?? null,
    state: r.state,
    query: r.query,
    queryStart: r.query_start ? new Date(r.query_start).toISOString() : null,
    waitEventType: r.wait_event_type ?? null,
    xactAgeMs: r.xact_age_ms === null ? null : Number(r.xact_age_ms),
    stateAgeMs: r.state_age_ms === null ? null : Number(r.state_age_ms),
  };
}

/**
 * Why this session must not be signalled, or undefined when it may. `ownPids` are sessions of
 * this process (the console's engine and monitor): cancelling them is done by their own keys.
 */
export function refusal(
  pid: number,
  backend: Backend | undefined,
  database: string,
  ownPids: number[] = [],
): string | undefined {
  if (!backend)
    return `No session with pid ${pid} is connected to the server: check the pid with \`citadel-migrate locks\`.`;
  if (backend.isSelf || ownPids.includes(pid))
    return `Session ${pid} is this console's own session: stop it from the console instead.`;
  if (backend.backendType !== 'client backend') {
    return `Process ${pid} is the server's ${backend.backendType || 'internal process'}, not a client session: only client sessions of ${database} can be cancelled or terminated here.`;
  }
  if (!backend.sameDatabase)
    return `Session ${pid} is connected to database "${backend.database}", not to ${database}: connect to that database to signal it.`;
  return undefined;
}

/** A cancel only stops a running query: a session idle in a transaction keeps its locks whatever we do. */
export function nothingToCancel(backend: Backend): string | undefined {
  // '' : the role may not see other users' session states (pg_read_all_stats): let the server judge.
  if (backend.state === '' || backend.state === 'active' || backend.state === 'fastpath function call')
    return undefined;
  if (backend.state.startsWith('idle in transaction')) {
    return `Session ${backend.pid} is ${backend.state}: it runs no query to cancel, and its locks stay until its transaction ends, so only terminating the session releases them.`;
  }
  return `Session ${backend.pid} is ${backend.state || 'not running a query'}: there is no query to cancel.`;
}

/**
 * Sends the signal and watches what happens: for a terminate, until the session is gone; for a
 * cancel, until its query has stopped (its state or query start changes). Gives up after waitMs.
 */
export async function signalBackend(db: Db, backend: Backend, how: SignalHow, waitMs = 5000): Promise<SignalOutcome> {
  const pid = backend.pid;
  let sent: boolean;
  try {
    sent = Boolean(
      (await db.query(sqlFile(how === 'cancel' ? 'cancel_backend' : 'terminate_backend'), [pid])).rows[0]?.signalled,
    );
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const why =
      e.code === '42501'
        ? `the role may not signal it (${e.message}); it needs to be a member of the session's role or of pg_signal_backend, and only a superuser may signal a superuser's session`
        : (e.message ?? String(err));
    return { pid, how, result: 'not-sent', ok: false, message: `The server refused to ${how} session ${pid}: ${why}.` };
  }
  if (!sent)
    return {
      pid,
      how,
      result: 'not-sent',
      ok: false,
      message: `Session ${pid} was not signalled: it had already ended.`,
    };

  if (how === 'cancel' && backend.state === '') {
    return {
      pid,
      how,
      result: 'unverified',
      ok: true,
      message: `Sent the cancel to session ${pid}; this role cannot see that session's state (it needs pg_read_all_stats), so whether a query stopped cannot be confirmed here.`,
    };
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    const now = await findBackend(db, pid);
    if (!now) {
      return how === 'terminate'
        ? {
            pid,
            how,
            result: 'terminated',
            ok: true,
            message: `Terminated session ${pid}: it is gone, its transaction rolled back and its locks are released.`,
          }
        : {
            pid,
            how,
            result: 'gone',
            ok: true,
            message: `Cancelled session ${pid}'s query; the session has ended too.`,
          };
    }
    if (how === 'cancel' && (now.state !== backend.state || now.queryStart !== backend.queryStart)) {
      const keeps = now.state.startsWith('idle in transaction')
        ? ` The session is now ${now.state} and keeps its locks until its application rolls back: terminate it if it must let go.`
        : ` The session stays connected (${now.state || 'idle'}).`;
      return {
        pid,
        how,
        result: 'cancelled',
        ok: true,
        message: `Cancelled the query of session ${pid}.${keeps}`,
        stateAfter: now.state,
      };
    }
    if (Date.now() >= deadline) {
      const what = how === 'terminate' ? 'is still connected' : 'still runs the same query';
      return {
        pid,
        how,
        result: 'still-running',
        ok: false,
        message: `Session ${pid} ${what} ${Math.round(waitMs / 1000)} s after pg_${how === 'cancel' ? 'cancel' : 'terminate'}_backend: it may be in a step that does not check for interrupts; look again with \`citadel-migrate locks\`.`,
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
