// What a rollback question shows on both front ends besides what it does: the statements down.sql
// will run, and the latest verified backup with its age (the way back if down.sql loses data).
import { splitStatements } from '../engine/split.js';
import { readJournalTail } from '../journal/read.js';
import type { JournalLine } from '../journal/journal.js';
import { journalled } from '../safety/journalFacts.js';
import { formatDuration } from '../format.js';
import type { Workspace } from './workspace.js';

/** Statements listed; a longer down.sql is counted (the console's dialog fits 80x24). */
const SHOWN = 6;
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

/** "down.sql (2 statements):" and one numbered line a statement (cut to 110 characters). */
export async function downSqlLines(downSql: string): Promise<string[]> {
  let statements: string[];
  try {
    statements = (await splitStatements(downSql, 'down.sql')).map((s) => flat(s.sql));
  } catch (err) {
    return [`! down.sql could not be parsed: ${(err as Error).message.split('\n')[0]}`];
  }
  if (!statements.length) return ['down.sql has no statement: only the history row changes'];
  const n = statements.length;
  return [
    `down.sql (${n} statement${n === 1 ? '' : 's'}):`,
    ...statements.slice(0, SHOWN).map((s, i) => `  ${i + 1}. ${s.length > 110 ? `${s.slice(0, 109)}…` : s}`),
    ...(n > SHOWN ? [`  … and ${n - SHOWN} more`] : []),
  ];
}

/** The latest verified backup of this database that the journal records, with its age. */
export async function latestBackupLine(ws: Workspace, now = Date.now()): Promise<string> {
  let lines: JournalLine[];
  try {
    lines = readJournalTail((await ws.journal()).file).lines;
  } catch {
    lines = [];
  }
  const backups = journalled<Record<string, unknown>, { path?: string; verified?: boolean }>(lines, 'backup').filter(
    (b) => b.result?.verified && b.result.path,
  );
  const last = backups.at(-1);
  if (!last)
    return '! No verified backup of this database in the journal: `citadel-migrate backup` first, so that what down.sql drops can be restored.';
  const at = Date.parse(last.endedAt ?? last.at);
  const runsSince = journalled<Record<string, unknown>, { applied?: string[] }>(lines, 'run').filter(
    (r) => Date.parse(r.at) > at && (r.result?.applied ?? []).length,
  );
  const since = runsSince.length ? `! ${runsSince.length} run(s) applied migrations since` : 'nothing applied since';
  return `Latest verified backup: ${last.result!.path} (taken ${formatDuration(Math.max(0, now - at))} ago, ${since})`;
}
