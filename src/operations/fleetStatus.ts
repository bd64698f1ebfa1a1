// `fleet status`: the ledger read back, with the counts per state and the version skew (how many
// targets stand at each last-applied migration), without touching a target.
import { readMigrationsFolder } from '../runbook/folder.js';
import { countStates, type LedgerRow, type TargetState, type WaveWait } from '../fleet/ledger.js';
import { openLedger, type LedgerChoice } from '../fleet/open.js';
import type { FleetTarget } from '../fleet/targets.js';
import { fleetIdFor } from './fleet.js';

export interface FleetStatus {
  fleet: string;
  ledger: string;
  stopped?: string;
  paused: boolean;
  /** The next wave waits at its gate, and why. */
  waiting?: WaveWait;
  counts: Record<TargetState, number>;
  /** Last-applied migration (null: none of the folder's) and how many targets stand there, newest first. */
  skew: { migration: string | null; targets: number }[];
  targets: LedgerRow[];
}

export async function fleetStatusOperation(
  input: LedgerChoice & { migrationsDir: string; targets: FleetTarget[] },
): Promise<FleetStatus> {
  const folder = await readMigrationsFolder(input.migrationsDir);
  const fleet = input.fleet ?? fleetIdFor(folder, input.targets);
  const ledger = await openLedger({ ...input, fleet }, `status:${process.pid}`, true);
  try {
    const snapshot = await ledger.read();
    const order = new Map(folder.migrations.map((m, i) => [m.name, i]));
    const at = new Map<string | null, number>();
    for (const r of snapshot.rows) at.set(r.lastApplied ?? null, (at.get(r.lastApplied ?? null) ?? 0) + 1);
    const rank = (m: string | null) => (m === null ? -1 : (order.get(m) ?? -1));
    const skew = [...at]
      .map(([migration, targets]) => ({ migration, targets }))
      .sort((a, b) => rank(b.migration) - rank(a.migration));
    return {
      fleet,
      ledger: ledger.where,
      ...(snapshot.fleet.stopped ? { stopped: snapshot.fleet.stopped } : {}),
      paused: snapshot.fleet.paused,
      ...(snapshot.fleet.waiting ? { waiting: snapshot.fleet.waiting } : {}),
      counts: countStates(snapshot.rows),
      skew,
      targets: snapshot.rows,
    };
  } finally {
    await ledger.close();
  }
}
