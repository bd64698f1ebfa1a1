import { formatDuration } from '../format.js';
// How a run waits for locks: the one place its defaults live (the CLI, the console's run dialog and
// rehearsals all take them from here), and the policy in the words the DBA reads before a run.
//
// Without flags the engine keeps the application's worst query near VICTIM_BUDGET_MS: it gives way
// (cancels its own lock request) as soon as an application session has queued behind it for that
// long, pauses briefly so the queue drains, and tries again with a slightly longer lock_timeout,
// with jitter so that two waiting runs never fall into step. Short pauses keep the migration close
// behind the blocker: it gets its lock within about a pause of the blocker ending. An overall limit
// ends the attempts with a failure that names the blocker.

/** Give way once an application session has waited this long behind our lock request. */
export const VICTIM_BUDGET_MS = 200;
/** lock_timeout of the first attempt, growing by LOCK_TIMEOUT_GROWTH up to LOCK_TIMEOUT_CAP_MS. */
export const FIRST_LOCK_TIMEOUT_MS = 200;
export const LOCK_TIMEOUT_GROWTH = 1.5;
export const LOCK_TIMEOUT_CAP_MS = 3000;
/** Pause between attempts: grows the same way up to its cap, which bounds how late we follow the blocker. */
export const FIRST_PAUSE_MS = 100;
export const PAUSE_CAP_MS = 500;
/** Attempts stop after this long in all (per statement), with a failure naming the blocker. */
export const LOCK_WAIT_LIMIT_MS = 10 * 60_000;

export interface LockPolicy {
  /** lock_timeout of the first attempt. */
  firstTimeoutMs: number;
  /** lock_timeout never grows past this (equal to firstTimeoutMs when --lock-timeout is given). */
  maxTimeoutMs: number;
  /** Retries after the first attempt; undefined: as many as fit in waitLimitMs. */
  retries?: number;
  /** Overall time for the attempts at one statement. */
  waitLimitMs: number;
  /** Give way when this many sessions queue behind us (0: never). */
  maxVictims: number;
  /** ... once the longest of them has waited this long. */
  victimWaitMs: number;
  /** Give way only while our statement itself waits for a lock (a running rewrite is not cancelled). */
  victimsOnlyWhileWaiting: boolean;
  firstPauseMs: number;
  maxPauseMs: number;
}

/** What a DBA may set (flags, console options); everything left out takes the default. */
export interface LockOptions {
  lockTimeoutMs?: number;
  lockRetries?: number;
  lockWaitLimitMs?: number;
  maxVictims?: number;
  maxVictimWaitMs?: number;
  /** Pause before the first retry (tests and the old --retry-delay); grows to its cap. */
  retryDelayMs?: number;
}

export function lockPolicy(o: LockOptions = {}): LockPolicy {
  const fixed = o.lockTimeoutMs !== undefined;
  const first = fixed ? Math.max(0, Math.round(o.lockTimeoutMs!)) : FIRST_LOCK_TIMEOUT_MS;
  const pause = o.retryDelayMs ?? FIRST_PAUSE_MS;
  return {
    firstTimeoutMs: first,
    maxTimeoutMs: fixed ? first : LOCK_TIMEOUT_CAP_MS,
    retries: o.lockRetries,
    waitLimitMs: o.lockWaitLimitMs ?? LOCK_WAIT_LIMIT_MS,
    maxVictims: o.maxVictims ?? 1,
    victimWaitMs: o.maxVictimWaitMs ?? VICTIM_BUDGET_MS,
    // An explicit --max-victims keeps its meaning: any statement with that many sessions behind it.
    victimsOnlyWhileWaiting: o.maxVictims === undefined,
    firstPauseMs: pause,
    maxPauseMs: Math.max(pause, PAUSE_CAP_MS),
  };
}

/** The policy in one sentence, as `run` prints it first and the console's run dialog shows it. */
export function describeLockPolicy(p: LockPolicy): string {
  const giveWay =
    p.maxVictims <= 0
      ? 'never gives way to application queries'
      : `gives way after ${formatDuration(p.victimWaitMs)} if ${p.maxVictims === 1 ? 'an application query waits' : `${p.maxVictims} application queries wait`} behind it${p.victimsOnlyWhileWaiting ? '' : ', even once it holds its lock'}`;
  const timeout =
    p.firstTimeoutMs === p.maxTimeoutMs
      ? `lock_timeout ${formatDuration(p.firstTimeoutMs)}`
      : `lock_timeout ${formatDuration(p.firstTimeoutMs)} growing to ${formatDuration(p.maxTimeoutMs)}`;
  const tries =
    p.retries === undefined
      ? `tries for up to ${formatDuration(p.waitLimitMs)}`
      : `at most ${p.retries} ${p.retries === 1 ? 'retry' : 'retries'} within ${formatDuration(p.waitLimitMs)}`;
  return `Locks: ${giveWay}; ${timeout} per attempt; ${tries}.`;
}

/** The attempts at one statement (or one migration's transaction): their lock_timeouts and pauses. */
export class LockAttempts {
  /** Attempts made so far (the first is attempt 0). */
  attempt = 0;
  private readonly t0 = performance.now();
  /** The last attempt had application sessions queued behind it: stay within their budget. */
  private traffic = false;

  constructor(
    readonly policy: LockPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** lock_timeout for the attempt about to be made, in ms (jittered by up to ±20% once growing). */
  timeoutMs(): number {
    const p = this.policy;
    let base = Math.min(p.maxTimeoutMs, p.firstTimeoutMs * LOCK_TIMEOUT_GROWTH ** this.attempt);
    // While the application queues behind our lock request, the server's own timer (exact, unlike
    // a sample) keeps each wait within the victims' budget; it grows only while nobody queues.
    if (this.traffic && p.maxVictims > 0 && p.firstTimeoutMs !== p.maxTimeoutMs) base = Math.min(base, p.victimWaitMs);
    // 0 is PostgreSQL's "wait for ever": only what the DBA asked for explicitly.
    if (base === 0) return 0;
    const jittered = p.firstTimeoutMs === p.maxTimeoutMs ? base : base * (0.8 + 0.4 * this.random());
    // The last attempt ends with the overall limit, not after it.
    return Math.max(1, Math.round(Math.min(jittered, p.waitLimitMs - this.elapsedMs())));
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.t0);
  }

  /**
   * After a failed attempt (`traffic`: sessions queued behind it): the pause before the next, or
   * undefined when the retries or the time are used up.
   */
  next(traffic = false): number | undefined {
    const p = this.policy;
    this.traffic = traffic;
    if (p.retries !== undefined && this.attempt >= p.retries) return undefined;
    const pause = Math.round(
      Math.min(p.maxPauseMs, p.firstPauseMs * LOCK_TIMEOUT_GROWTH ** this.attempt) * (0.75 + 0.5 * this.random()),
    );
    if (this.elapsedMs() + pause >= p.waitLimitMs) return undefined;
    this.attempt++;
    return pause;
  }

  /** Out of time rather than out of retries (the failure says which). */
  timedOut(): boolean {
    return this.elapsedMs() >= this.policy.waitLimitMs - this.policy.maxPauseMs;
  }
}
