// The team hears of a fleet once at its start and once at its end (finished, or stopped with the
// reason), with the counts and the targets that failed or were refused; each target's own run
// notifies as a single run does.
import os from 'node:os';
import { Notifier, notifyUrls } from '../notify/notify.js';
import { whoAmI } from '../who.js';
import type { LedgerRow, TargetState } from '../fleet/ledger.js';

/** What the end's event tells (operations/fleet.ts's result). */
interface FleetEnd {
  outcome: 'finished' | 'stopped' | 'interrupted';
  stopped?: string;
  counts: Record<TargetState, number>;
  targets: LedgerRow[];
  durationMs: number;
}

export function fleetNotifier(
  fleet: string,
  input: { notify?: string[]; notice?: (sentence: string) => void; targets: unknown[] },
): Notifier {
  const urls = notifyUrls(input.notify, process.env.CITADEL_NOTIFY_URL, undefined);
  return new Notifier(
    urls,
    { target: `fleet ${fleet} (${input.targets.length} targets)`, who: whoAmI(), host: os.hostname() },
    undefined,
    { onUndelivered: input.notice },
  );
}

export async function tellFleetEnd(notifier: Notifier, r: FleetEnd): Promise<void> {
  const failures = r.targets
    .filter((t) => t.state === 'failed' || t.state === 'refused')
    .map((t) => ({ name: t.name, state: t.state, ...(t.error ? { error: t.error } : {}) }));
  notifier.send({
    event: r.outcome === 'finished' ? 'fleet.finished' : 'fleet.stopped',
    migration: null,
    outcome: r.outcome === 'finished' ? (failures.length ? 'failed' : 'ok') : r.outcome,
    durationMs: r.durationMs,
    counts: r.counts,
    failures,
    ...(r.stopped ? { reason: r.stopped } : {}),
  });
  await notifier.settle();
}
