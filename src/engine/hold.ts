// Hold, don't abort: before each migration, between the statements of a non-atomic one and between
// the batches of a backfill, the engine waits while a signal of the server's health is over its
// limit (a standby behind, the archive's backlog). The engine does not read those signals itself:
// the caller passes the check (operations/hold.ts), which names what is over its limit, or null.
import { now, type EventStream, type HoldOver } from './events.js';

export type { HoldOver };

/** What is over its limit (or just its words), or null. */
export type HoldCheck = () => Promise<HoldOver | string | null>;

const asOver = (r: HoldOver | string): HoldOver =>
  typeof r === 'string' ? { signal: 'unreadable', unit: null, value: null, limit: null, text: r } : r;

export interface HoldPolicy {
  check: HoldCheck;
  /** Give up after holding this long (the run then fails cleanly, between transactions). */
  maxHoldMs: number;
  /** How often the check runs while holding. Default 1 s. */
  everyMs?: number;
  /**
   * The most WAL one batch of a backfill should write (what the standbys replay within the limit),
   * when known: a batch over it puts them past the limit however well the check holds before it.
   */
  walBudget?: () => number | undefined;
}

/** The default bound of a hold: a maintenance window does not wait on a standby forever. */
export const DEFAULT_MAX_HOLD_MS = 30 * 60_000;

/** The hold lasted longer than --max-hold: nothing was started after it, no transaction is open. */
export class HoldExpired extends Error {
  readonly code = 'HOLD_EXPIRED';
  constructor(
    readonly reason: string,
    readonly heldMs: number,
    readonly name: string,
  ) {
    super(
      `held ${Math.round(heldMs / 1000)} s, the --max-hold limit, because ${reason}: nothing more of ${name} was started; run again once it has caught up, or raise --max-hold`,
    );
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Waits while the check names something over its limit, re-checking every second; returns when
 * nothing is (or at once without a policy, or when the signal aborts: the caller sees the abort).
 * Throws HoldExpired once it has held maxHoldMs. `name`: the migration the work belongs to.
 * Returns how long it held (0: nothing was over its limit); `seen`, if given, is told the last reading
 * over the limit (a batch's size reads it: a standby that replays slower than the backfill writes).
 */
export async function holdWhileOver(
  policy: HoldPolicy | undefined,
  events: EventStream,
  name: string,
  signal?: AbortSignal,
  seen?: (over: HoldOver) => void,
): Promise<number> {
  if (!policy) return 0;
  const t0 = performance.now();
  let last: HoldOver | undefined;
  const heldFor = () => Math.round(performance.now() - t0);
  for (;;) {
    if (signal?.aborted) {
      if (last) events.emit({ type: 'hold-end', at: now(), name, heldMs: heldFor(), over: last, stopped: true });
      return last ? heldFor() : 0;
    }
    let found: HoldOver | string | null;
    try {
      found = await policy.check();
    } catch (err) {
      // Figures that cannot be read are not figures under the limit.
      found = `the replication figures cannot be read (${(err as Error).message})`;
    }
    const heldMs = heldFor();
    if (!found) {
      if (last) events.emit({ type: 'hold-end', at: now(), name, heldMs, over: last });
      return last ? heldMs : 0;
    }
    const over = asOver(found);
    if (heldMs >= policy.maxHoldMs) {
      events.emit({ type: 'hold-end', at: now(), name, heldMs, expired: over.text, over });
      throw new HoldExpired(over.text, heldMs, name);
    }
    last = over;
    seen?.(over);
    events.emit({ type: 'hold', at: now(), name, reason: over.text, heldMs, over });
    await sleep(Math.min(policy.everyMs ?? 1000, Math.max(0, policy.maxHoldMs - heldMs)), signal);
  }
}

/** A hold of a run, as run --json lists it. */
export interface RunHold {
  name: string;
  heldMs: number;
  outcome: 'under the limit' | 'expired' | 'stopped';
  /** "standby replica-1 is 3 s behind (max 1 s)" */
  reason: string;
  over?: HoldOver;
}

/** The holds of a run, in order, from its events until stop(). */
export function collectHolds(events: EventStream): { holds: RunHold[]; stop: () => void } {
  const holds: RunHold[] = [];
  const stop = events.on((e) => {
    if (e.type !== 'hold-end') return;
    holds.push({
      name: e.name,
      heldMs: e.heldMs,
      outcome: e.expired ? 'expired' : e.stopped ? 'stopped' : 'under the limit',
      reason: e.over?.text ?? e.expired ?? '',
      ...(e.over ? { over: e.over } : {}),
    });
  });
  return { holds, stop: () => void stop() };
}
