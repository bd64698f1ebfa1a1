// The console's view of a fleet: the ledger read again on every refresh, and the pause and resume
// keys, each written to the fleet's own journal (who paused it, when) before it takes effect.
import path from 'node:path';
import { Journal, defaultJournalDir } from '../journal/journal.js';
import { readMigrationsFolder } from '../runbook/folder.js';
import { openLedger, type LedgerChoice } from '../fleet/open.js';
import type { FleetTarget } from '../fleet/targets.js';
import { fleetIdFor } from './fleet.js';
import { fleetStatusOperation, type FleetStatus } from './fleetStatus.js';
import { targetWorkspace } from './fleetWorkspace.js';
import type { Workspace } from './workspace.js';

export interface FleetWatch {
  fleet: string;
  read(): Promise<FleetStatus>;
  /** Pauses (no new target starts; running ones go on) or resumes the fleet; journalled. */
  pause(paused: boolean): Promise<void>;
  journalFile: string;
  /**
   * A target's own workspace for its console, read-only (mode plan: every key that writes refuses);
   * undefined for a name this console's targets do not list.
   */
  targetConsole(name: string): Workspace | undefined;
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
    targetConsole: (name) => {
      const ft = input.targets.find((t) => t.name === name);
      if (!ft) return undefined;
      const ws = targetWorkspace(ft, { migrationsDir: input.migrationsDir, folder, journalDir: input.journalDir });
      return { ...ws, mode: 'plan' };
    },
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
