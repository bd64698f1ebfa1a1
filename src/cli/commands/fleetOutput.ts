import { TARGET_STATES, type LedgerRow, type TargetState } from '../../operations/fleet.js';
import type { FleetRunResult } from '../../operations/fleet.js';

export function countsLine(counts: Record<TargetState, number>): string {
  const total = TARGET_STATES.reduce((n, s) => n + counts[s], 0);
  return `${total} target${total === 1 ? '' : 's'}: ${TARGET_STATES.map((s) => `${counts[s]} ${s}`).join(', ')}`;
}

/** "wave 2 waits: standby replica-1 of server db-1:5432 is 14 s behind (max 2 s)" */
export function waitWords(w: { wave: number; reason: string }): string {
  return `wave ${w.wave} waits: ${w.reason}`;
}

export function targetDocument(r: LedgerRow) {
  return {
    name: r.name,
    target: r.target,
    server: r.server,
    wave: r.wave,
    state: r.state,
    migration: r.migration ?? null,
    lastApplied: r.lastApplied ?? null,
    applied: r.applied ?? null,
    durationMs: r.durationMs ?? null,
    error: r.error ?? null,
    attempts: r.attempts,
  };
}

export function fleetDocument(r: FleetRunResult) {
  return {
    fleet: r.fleet,
    ledger: r.ledger,
    outcome: r.outcome,
    stopped: r.stopped ?? null,
    counts: r.counts,
    gates: r.gates,
    durationMs: r.durationMs,
    targets: r.targets.map(targetDocument),
  };
}
