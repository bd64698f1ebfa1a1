// The console's view of a fleet: the ledger read again on every refresh, and the pause and resume
// keys, each written to the fleet's own journal (who paused it, when) before it takes effect.
import path from 'node:path';
import { Journal, defaultJournalDir } from '../journal/journal.js';
import { readMigrationsFolder } from '../runbook/folder.js';
import { openLedger, type LedgerChoice } from '../fleet/open.js';
import type { FleetTarget } from '../fleet/targets.js';
import { fleetIdFor } from './fleet.js';
import { fleetStatusOperation, type FleetStatus } from './fleetStatus.js';

export interface FleetWatch {
  fleet: string;
  read(): Promise<FleetStatus>;
  /** Pauses (no new target starts; running ones go on) or resumes the fleet; journalled. */
  pause(paused: boolean): Promise<void>;
  journalFile: string;
}

export async function watchFleet(
  input: LedgerChoice & { migrationsDir: string; targets: FleetTarget[] },
): Promise<FleetWatch> {
  const folder = await readMigrationsFolder(input.migrationsDir);
  const fleet = input.fleet ?? fleetIdFor(folder, input.targets);
  const choice = { ...input, fleet };
  const journal = new Journal(
    path.join(input.journalDir ?? defaultJournalDir(), `fleet-${fleet}.jsonl`),
    `fleet ${fleet}`,
  );
  return {
    fleet,
    journalFile: journal.file,
    read: () => fleetStatusOperation(choice),
    pause: async (paused) => {
      journal.event(paused ? 'fleet.paused' : 'fleet.resumed', { fleet });
      const ledger = await openLedger(choice, `console:${process.pid}`, true);
      try {
        await ledger.pause(paused);
      } finally {
        await ledger.close();
      }
    },
  };
}
