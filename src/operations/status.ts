import { withDb } from '../postgres/connect.js';
import { readHistory } from '../runbook/history.js';
import { migrationStates, type MigrationStatus } from '../runbook/status.js';
import { readJournalTail } from '../journal/read.js';
import { explainInterrupted, deadRunPids } from './interrupted.js';
import { findLeftovers, type Leftovers } from '../engine/leftovers.js';
import { detectPooler, poolerWarning } from '../postgres/pooler.js';
import { folderMismatch } from '../runbook/folderMatch.js';
import type { Workspace } from './workspace.js';

export interface StatusReport {
  states: MigrationStatus[];
  /** What a dead run left on the server: Prisma's advisory lock, INVALID indexes. */
  leftovers: Leftovers;
  /** What a run would refuse: the wrong folder, a transaction pooler. */
  warnings: string[];
}

/** The migrations' states, explained by the journal where the database cannot explain them. */
export async function statusOperation(ws: Workspace): Promise<StatusReport> {
  const folder = await ws.folder();
  const target = ws.target();
  // The journal explains what the database cannot: an attempt whose process died part-way.
  const journal = readJournalTail((await ws.journal()).file);
  const { rows, leftovers, pooler } = await withDb(
    target,
    async (db) => ({ rows: await readHistory(db), leftovers: await findLeftovers(db, deadRunPids(journal.lines)), pooler: await detectPooler(target, db) }),
    { applicationName: 'citadel-migrate status' },
  );
  const warnings = [folderMismatch(folder, rows)?.message, poolerWarning(target, pooler, ws.project().directUrlVariable)].filter((w): w is string => Boolean(w));
  return { states: explainInterrupted(migrationStates(folder.migrations, rows), journal.lines, leftovers), leftovers, warnings };
}
