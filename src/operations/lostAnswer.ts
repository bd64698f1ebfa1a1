// A command (run, rollback, skip) whose path to the server stalled (a NAT that forgot the
// connection, a proxy that hangs) waits for an answer that never comes: the server got the
// statement, ran it, committed, and now waits for us. TCP does not tell (the path to the proxy is
// fine, keepalives get their answers), and the run's watcher session may have stalled with it. So,
// while a round trip has been out for a while, a session of its own asks the server what the
// command's backend is doing. A statement still running ('active': a long migration, a lock wait)
// is never given up on; a backend idle past the deadline (or gone) means the answer was lost, and
// the command is abandoned: its backend is ended (it may sit idle in transaction with locks), and
// what was committed is read back.
import { connect, type Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { dropSession, queryInFlight } from '../postgres/roundTrip.js';
import type { Target } from '../postgres/target.js';
import { sessionName } from '../engine/run.js';
import { whoAmI } from '../who.js';
import { UserError } from '../errors.js';
import type { HistoryRow } from '../runbook/history.js';
import { endOwnBackends, historyReadBack, within } from './stopDeadline.js';

/**
 * How long the server may have finished (its backend idle, our answer not in) before the answer
 * counts as lost. A reply delayed by a lossy path arrives within TCP's first retransmissions
 * (doubling from 200 ms, about 12 s for six); past 15 s of a server idle for us, nothing is on its
 * way, and a DBA watching a frozen screen is told within the time they would wait before worrying.
 * CITADEL_ANSWER_DEADLINE_MS overrides it (the tests use 1-2 s).
 */
export const ANSWER_DEADLINE_MS = 15_000;
/** A round trip is looked into once it has been out this long (or the deadline, if shorter). */
const ASK_AFTER_MS = 3_000;
/** Then the server is asked this often, on one session kept while the round trip is out. */
const ASK_EVERY_MS = 1_000;
/** A probe without an answer within this is closed (it may have stalled too); the next one is new. */
const PROBE_ANSWER_MS = 1_500;

export function answerDeadlineMs(): number {
  const v = Number(process.env.CITADEL_ANSWER_DEADLINE_MS);
  return Number.isInteger(v) && v > 0 ? v : ANSWER_DEADLINE_MS;
}

export interface LostAnswer {
  /** The backend that finished and whose answer did not come. */
  pid: number;
  /** Its state then ('' when it was gone). */
  state: string;
  deadlineMs: number;
}

/** Watches the round trips of one session (the engine's); `lost` resolves when the server says an answer was lost. */
export class LostAnswerWatch {
  readonly lost: Promise<LostAnswer>;
  private resolve!: (lost: LostAnswer) => void;
  private timer: NodeJS.Timeout | undefined;
  private probe: Db | undefined;
  private asking = false;
  private out: { query: object; since: number } | undefined;
  /** The sessions watched (the first) and those ended with it when the answer is lost. */
  private sessions: Db[] = [];
  private backends: number[] = [];
  /** The answer was lost and the work given up on (see `race`). */
  abandoned = false;

  constructor(
    private readonly target: Target,
    readonly deadlineMs = answerDeadlineMs(),
  ) {
    this.lost = new Promise((r) => (this.resolve = r));
  }

  /**
   * Watches `db`'s round trips; `pid` is its backend as the server reports it (pg_backend_pid(): a
   * session pooler announces a pid of its own, which may be anyone's). `others` are the command's
   * other sessions, dropped with it, and `otherPids` their backends, ended with it.
   */
  watch(db: Db, pid: number, others: Db[] = [], otherPids: number[] = []): void {
    this.stop();
    this.sessions = [db, ...others];
    this.backends = [pid, ...otherPids];
    this.timer = setInterval(() => void this.tick(db, pid), ASK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.closeProbe();
  }

  /** The backends of the watched sessions (to end on the server). */
  pids(): number[] {
    return this.backends;
  }

  /** `work`'s outcome, or `onLost`'s once the server says the answer is lost (the work is then given up on). */
  race<T>(work: Promise<T>, onLost: (lost: LostAnswer) => Promise<T>): Promise<T> {
    work.catch(() => undefined);
    const lost = this.lost.then((l) => {
      this.abandoned = true;
      return onLost(l);
    });
    return Promise.race([work, lost]);
  }

  /**
   * Stops watching; after an abandon the sessions are dropped here, once the caller has detached
   * its recorders: the queries that then fail are not journalled as the command's outcome.
   */
  close(): void {
    this.stop();
    if (this.abandoned) for (const db of this.sessions) dropSession(db);
  }

  private async tick(db: Db, pid: number): Promise<void> {
    if (this.asking) return;
    const query = queryInFlight(db);
    if (!query) {
      // Between round trips (a hold between migrations included) nothing is awaited: nothing to ask.
      this.out = undefined;
      this.closeProbe();
      return;
    }
    if (this.out?.query !== query) this.out = { query, since: Date.now() };
    const outFor = Date.now() - this.out.since;
    if (outFor < Math.min(ASK_AFTER_MS, this.deadlineMs)) return;
    this.asking = true;
    try {
      const seen = await this.ask(pid);
      // Unknown (the server cannot be asked either), or the answer came meanwhile: keep waiting.
      if (!seen || queryInFlight(db) !== query || !this.timer) return;
      const finished = !seen.row || seen.row.state.startsWith('idle');
      const idleFor = seen.row ? Number(seen.row.state_age_ms) : Number.POSITIVE_INFINITY;
      if (finished && idleFor >= this.deadlineMs && Date.now() - this.out.since >= this.deadlineMs) {
        this.stop();
        this.resolve({ pid, state: seen.row?.state ?? '', deadlineMs: this.deadlineMs });
      }
    } finally {
      this.asking = false;
    }
  }

  private async ask(pid: number): Promise<{ row: { state: string; state_age_ms: number } | undefined } | undefined> {
    try {
      this.probe ??= await within(
        PROBE_ANSWER_MS,
        connect(this.target, {
          applicationName: sessionName('answer probe', whoAmI()),
          connectTimeoutMs: PROBE_ANSWER_MS,
        }),
      );
      const r = await within(
        PROBE_ANSWER_MS,
        this.probe.query<{ state: string; state_age_ms: number }>(sqlFile('round_trip_backend_state'), [pid]),
      );
      return { row: r.rows[0] };
    } catch {
      this.closeProbe();
      return undefined;
    }
  }

  private closeProbe(): void {
    const probe = this.probe;
    this.probe = undefined;
    if (!probe) return;
    if (queryInFlight(probe)) dropSession(probe);
    void probe.end().catch(() => undefined);
  }
}

/** The first half of the sentence of an abandoned command ('the run', 'the rollback'...). */
export function lostAnswerWords(lost: LostAnswer, ended: boolean, what: string): string {
  const seconds = `${Math.round(lost.deadlineMs / 100) / 10} s`;
  const session = ended
    ? `${what} ended its session on the server`
    : `its session may still be open on the server: \`citadel-migrate kill ${lost.pid} --terminate\` ends it`;
  return `The server finished what ${what} sent, but its answer did not arrive within ${seconds} (a stalled connection): ${session}`;
}

/**
 * A command that writes its bookkeeping on one session (rollback, skip) whose answer was lost: its
 * backend is ended (the transaction, idle, holds locks), then `readBack` says from a new session
 * where the migration stands.
 */
export async function lostWriting(
  target: Target,
  lost: LostAnswer,
  answers: LostAnswerWatch,
  what: string,
  readBack: (rows: HistoryRow[]) => string,
): Promise<never> {
  const ended = await endOwnBackends(target, answers.pids());
  const rows = await historyReadBack(target);
  const why = lostAnswerWords(lost, ended, what);
  throw new UserError(
    rows
      ? `${why}; read back from a new session: ${readBack(rows)}.`
      : `${why}, and a new session could not ask it where things stand: run \`citadel-migrate status\` once it answers.`,
    'interrupted',
  );
}
