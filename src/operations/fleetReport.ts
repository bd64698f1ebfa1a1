// `report --fleet`: the ledger's targets, each with its own journal, found without connecting to it
// (the journal this URL last wrote): a fleet of hundreds is summarised from the bastion's files.
import { journalWithoutServer } from '../journal/open.js';
import { readJournalFile } from '../journal/read.js';
import { renderFleetReport } from '../journal/fleetReport.js';
import { TARGET_STATES } from '../fleet/ledger.js';
import type { LedgerChoice } from '../fleet/open.js';
import type { FleetTarget } from '../fleet/targets.js';
import { fleetStatusOperation } from './fleetStatus.js';

export async function fleetReportOperation(
  input: LedgerChoice & { migrationsDir: string; targets: FleetTarget[] },
): Promise<{ fleet: string; markdown: string; journals: number }> {
  const status = await fleetStatusOperation(input);
  const byName = new Map(input.targets.map((t) => [t.name, t]));
  let journals = 0;
  const targets = status.targets.map((row) => {
    const ft = byName.get(row.name);
    const file = ft ? journalWithoutServer(ft.target, input.journalDir) : undefined;
    if (file) journals++;
    return {
      name: row.name,
      display: ft?.target.display ?? row.target,
      state: row.state,
      ...(row.error ? { ledgerError: row.error } : {}),
      lines: file ? readJournalFile(file, { statements: 'none' }).lines : [],
    };
  });
  const counts = `${status.targets.length} targets: ${TARGET_STATES.map((s) => `${status.counts[s]} ${s}`).join(', ')}`;
  return {
    fleet: status.fleet,
    journals,
    markdown: renderFleetReport({ id: status.fleet, ledger: status.ledger, counts }, targets),
  };
}
