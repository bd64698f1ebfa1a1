import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJournalFile } from '../../src/journal/read.js';
import type { JournalLine } from '../../src/journal/journal.js';

/** A journal folder of the test's own (CITADEL_JOURNAL_DIR), so no two tests read each other's lines. */
export function journalFolder(prefix = 'cm-journal-'): { dir: string; env: { CITADEL_JOURNAL_DIR: string } } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, env: { CITADEL_JOURNAL_DIR: dir } };
}

/** The lines of the one journal file in the folder (none yet: []). */
export function journalLines(dir: string): JournalLine[] {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jsonl')) : [];
  if (files.length > 1) throw new Error(`more than one journal in ${dir}: ${files.join(', ')}`);
  return files.length ? readJournalFile(path.join(dir, files[0]!)).lines : [];
}

/** Details of the journal's events of one action, e.g. 'migration.statement' or 'migration.retry'. */
export function eventsOf<T = Record<string, unknown>>(dir: string, action: string): T[] {
  return journalLines(dir)
    .filter((l) => l.action === action && l.phase === 'event')
    .map((l) => l.details as T);
}
