// One runner's loop over a ledger: claim a target while a slot is free (--concurrency here, the
// per-server limit across every runner), run it, record its end; stop claiming once the ledger says
// the fleet stopped. A stop decided by a result (a failed canary, the failure budget exceeded) is
// written before that result, so no runner ever sees the wave finished without the stop.
import { countStates, type Claimed, type FinishFields, type Ledger, type WaveGate } from './ledger.js';

/** The health between waves: what is over its limit on these servers (in words), or null. */
export interface GatePolicy {
  check(servers: string[]): Promise<string | null>;
  /** Stop the fleet after a wave has waited this long (--max-hold). */
  maxWaitMs: number;
}

export interface SchedulerOptions {
  concurrency: number;
  perServer: number;
  maxFailures: number;
  /** Wave 0 is a canary: one failure there stops the fleet whatever the budget. */
  canary: boolean;
  /** How often a waiting runner asks the ledger again (another runner's targets, a paused fleet). */
  pollMs: number;
  /** How often leases are renewed. */
  renewMs: number;
  /** Without it every wave starts as soon as the one before has finished. */
  gate?: GatePolicy;
  /** A stop (Ctrl-C, SIGTERM): no new target starts, running ones stop cleanly and go back to pending. */
  signal?: AbortSignal;
}

/** A target's end as the runner saw it; `released`: its run was stopped before it finished (pending again). */
export type TargetEnd = FinishFields | { released: true };

export type FleetEvent =
  | { type: 'target-start'; claimed: Claimed }
  | { type: 'target-end'; claimed: Claimed; end: TargetEnd }
  | { type: 'fleet-stop'; reason: string }
  /** The wave waits at its gate (sent at each check while it waits). */
  | { type: 'wave-wait'; wave: number; servers: string[]; reason: string; waitedMs: number }
  /** The wave's gate opened after a wait; `reason`: the last one it waited for. */
  | { type: 'wave-go'; wave: number; waitedMs: number; reason: string };

export async function schedule(
  ledger: Ledger,
  opts: SchedulerOptions,
  runTarget: (claimed: Claimed, signal: AbortSignal) => Promise<TargetEnd>,
  onEvent: (e: FleetEvent) => void = () => undefined,
): Promise<void> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (opts.signal?.aborted) stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const running = new Map<string, Promise<void>>();
  let renewing = false;
  const renew = setInterval(() => {
    if (renewing) return;
    renewing = true;
    void ledger
      .renew()
      .catch(() => undefined)
      .finally(() => (renewing = false));
  }, opts.renewMs);
  let fatal: unknown;
  // The last wave whose gate this runner passed; the first wave has none.
  let opened = -1;
  let waiting: { wave: number; since: number; reason: string } | undefined;

  /** True once the wave may start; false while it waits (the ledger and the events say why). */
  const passGate = async (gate: WaveGate): Promise<boolean> => {
    const reason = gate.servers.length && opts.gate ? await opts.gate.check(gate.servers) : null;
    const w = waiting?.wave === gate.wave ? waiting : undefined;
    if (!reason) {
      if (w) {
        await ledger.waiting(undefined);
        onEvent({ type: 'wave-go', wave: gate.wave, waitedMs: Date.now() - w.since, reason: w.reason });
      }
      waiting = undefined;
      return true;
    }
    const since = w?.since ?? Date.now();
    const waitedMs = Date.now() - since;
    waiting = { wave: gate.wave, since, reason };
    if (waitedMs >= opts.gate!.maxWaitMs) {
      const why = `wave ${gate.wave} waited ${Math.round(waitedMs / 1000)} s, the --max-hold limit, because ${reason}`;
      await ledger.waiting(undefined);
      await ledger.stop(why);
      onEvent({ type: 'fleet-stop', reason: why });
      return false;
    }
    await ledger.waiting({ wave: gate.wave, reason, since: new Date(since).toISOString() });
    onEvent({ type: 'wave-wait', wave: gate.wave, servers: gate.servers, reason, waitedMs });
    return false;
  };

  const finish = async (claimed: Claimed, end: TargetEnd) => {
    const name = claimed.row.name;
    if ('released' in end) return ledger.release(name);
    if (end.state === 'failed' || end.state === 'refused') {
      const reason = await stopReason(ledger, opts, claimed, end);
      if (reason) {
        await ledger.stop(reason);
        onEvent({ type: 'fleet-stop', reason });
      }
    }
    await ledger.finish(name, end);
  };

  const start = (claimed: Claimed) => {
    onEvent({ type: 'target-start', claimed });
    const p = runTarget(claimed, stop.signal)
      .catch((err: unknown): TargetEnd => ({ state: 'failed', durationMs: 0, error: String((err as Error)?.message) }))
      .then(async (end) => {
        await finish(claimed, end);
        onEvent({ type: 'target-end', claimed, end });
      })
      .catch((err: unknown) => {
        // The ledger cannot be written: nothing more is started, the running targets finish.
        fatal ??= err;
        stop.abort();
      })
      .finally(() => running.delete(claimed.row.name));
    running.set(claimed.row.name, p);
  };

  try {
    for (;;) {
      if (stop.signal.aborted) break;
      let done = false;
      if (running.size < opts.concurrency) {
        const c = await ledger.claim(opts.perServer, opened);
        if ('claimed' in c) {
          start(c.claimed);
          continue;
        }
        if ('gate' in c && (await passGate(c.gate))) {
          opened = c.gate.wave;
          continue;
        }
        done = 'done' in c;
      }
      if (done && !running.size) break;
      await Promise.race([...running.values(), pause(opts.pollMs, stop.signal)]);
    }
  } catch (err) {
    fatal ??= err;
    stop.abort();
  } finally {
    await Promise.allSettled([...running.values()]);
    clearInterval(renew);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (fatal) throw fatal;
}

/** Why this failure stops the fleet, or undefined: a canary's failure, or one past the budget. */
async function stopReason(
  ledger: Ledger,
  opts: SchedulerOptions,
  claimed: Claimed,
  end: FinishFields,
): Promise<string | undefined> {
  const row = claimed.row;
  const what = end.state === 'refused' ? 'was refused' : 'failed';
  if (opts.canary && row.wave === 0) return `the canary ${row.name} ${what}, so no other target was started`;
  const counts = countStates((await ledger.read()).rows.filter((r) => r.name !== row.name));
  const failures = counts.failed + counts.refused + 1;
  if (failures > opts.maxFailures)
    return `${failures} target${failures === 1 ? '' : 's'} failed or ${failures === 1 ? 'was' : 'were'} refused (the last: ${row.name}), over the budget of --max-failures ${opts.maxFailures}`;
  return undefined;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
