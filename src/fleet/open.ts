import { defaultJournalDir } from '../journal/journal.js';
import { parseTarget } from '../postgres/target.js';
import { FileLedger, fleetLedgerFile } from './fileLedger.js';
import type { Ledger } from './ledger.js';
import { PgLedger } from './pgLedger.js';

export interface LedgerChoice {
  /** --ledger postgresql://…: a table shared by runners; otherwise a file in the journal folder. */
  ledgerUrl?: string;
  journalDir?: string;
  /** --fleet NAME; by default derived from the folder and the targets. */
  fleet?: string;
  leaseMs?: number;
}

export async function openLedger(
  choice: LedgerChoice & { fleet: string },
  runner: string,
  readOnly = false,
): Promise<Ledger> {
  if (choice.ledgerUrl) return new PgLedger(parseTarget(choice.ledgerUrl), choice.fleet, runner, choice.leaseMs);
  return new FileLedger(
    fleetLedgerFile(choice.journalDir ?? defaultJournalDir(), choice.fleet),
    choice.fleet,
    runner,
    readOnly,
  );
}
