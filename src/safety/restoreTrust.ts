// Which dump may be restored over a database. The sidecar beside a dump is a file like any other:
// whoever can replace the dump can rewrite it. The target's journal (0600 in a 0700 folder) is the
// record to trust: a dump whose sha256 the journal recorded when `backup` made it is "ours"; any
// other dump is "from elsewhere" and is restored only after the DBA has seen what it holds.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { readJournalFile } from '../journal/read.js';
import { readSidecar, sha256File, type BackupSidecar } from './backupFiles.js';
import { summarizeDump, type DumpSummary } from './dumpSummary.js';
import type { RowCounts } from './rowCounts.js';

/** A `backup` of this target, as its journal recorded it when it ended. */
export interface JournalBackupRecord {
  time: string;
  who: string;
  path: string;
  bytes: number;
  sha256: string;
  verified: boolean;
}

export interface CheckedDump {
  file: string;
  sha256: string;
  /** journal: made by `backup` on this target and recorded with this sha256; foreign: anything else. */
  provenance: 'journal' | 'foreign';
  record?: JournalBackupRecord;
  /** The sidecar, when it matches the dump. */
  sidecar?: BackupSidecar;
  /** Row counts to compare the restored database with: only from a sidecar the journal vouches for. */
  counts?: RowCounts;
  /** What the dump says about itself (pg_restore --list). */
  summary: DumpSummary;
}

/** Whose lines count: a line that names another database or server is not this target's record. */
export interface JournalOwner {
  database: string;
  server: string;
}

/** The journal's backups of this target with this sha256 (the last one wins). */
export function journalBackupRecord(
  journalFile: string,
  sha256: string,
  owner?: JournalOwner,
): JournalBackupRecord | undefined {
  let found: JournalBackupRecord | undefined;
  for (const l of readJournalFile(journalFile, { statements: 'none' }).lines) {
    if (l.action !== 'backup' || l.phase !== 'end') continue;
    if (
      owner &&
      ((l.database !== undefined && l.database !== owner.database) ||
        (l.server !== undefined && l.server !== owner.server))
    )
      continue;
    const r = (l.result ?? {}) as Record<string, unknown>;
    if (r.ok === false || r.sha256 !== sha256) continue;
    found = {
      time: l.time,
      who: l.who,
      path: String(r.path ?? ''),
      bytes: Number(r.bytes ?? 0),
      sha256,
      verified: r.verified === true,
    };
  }
  return found;
}

/** Checks the dump before anything is touched: which of the two it is, and whether it may be used at all. */
export async function checkBackupFile(file: string, journalFile: string, owner?: JournalOwner): Promise<CheckedDump> {
  if (!existsSync(file))
    throw new UserError(
      `The backup file ${file} does not exist: pass the path of a .dump written by \`citadel-migrate backup\`.`,
      'bad-input',
    );
  const sha256 = await sha256File(file);
  const sidecar = await readSidecar(file);
  const record = journalBackupRecord(journalFile, sha256, owner);
  if (record) {
    if (!record.verified) {
      throw new UserError(
        `The backup ${file} failed its restore check when it was made (the journal of ${path.basename(journalFile)} says so): nothing was restored; use a verified backup.`,
        'failed',
      );
    }
    const matching = sidecar && sidecar.sha256 === sha256 ? sidecar : undefined;
    return {
      file,
      sha256,
      provenance: 'journal',
      record,
      sidecar: matching,
      counts: matching?.counts,
      summary: await summarizeDump(file),
    };
  }
  // Not ours. A sidecar that disagrees with the file is the corruption case of old; one that agrees
  // proves nothing, since anyone who could write the dump could write it too.
  if (sidecar && sidecar.sha256 !== sha256) {
    throw new UserError(
      `The backup ${file} is corrupted or was changed since it was made: its sha256 is ${sha256}, the record says ${sidecar.sha256}. Nothing was restored; use another backup.`,
      'failed',
    );
  }
  return { file, sha256, provenance: 'foreign', summary: await summarizeDump(file) };
}

/** One sentence on where the dump comes from, for the confirmation and the output. */
export function provenanceLine(d: CheckedDump, journalFile: string): string {
  if (d.provenance === 'journal') {
    return `This is a backup made by citadel-migrate: the journal recorded its sha256 ${d.sha256.slice(0, 12)}… when ${d.record!.who} made it at ${d.record!.time}.`;
  }
  return `This dump is NOT one recorded in the journal (${journalFile}): it comes from elsewhere, or it was changed after the backup was made; check what it holds below before restoring it.`;
}

export interface ConfirmationInputs {
  /** stdin and stdout are a terminal: the DBA can type the name. */
  terminal: boolean;
  yes: boolean;
  /** --foreign-dump: the DBA accepts, in advance, a dump the journal does not know. */
  foreignDump: boolean;
  /** --database-url on the command line names the database (not only $DATABASE_URL). */
  explicitlyNamed: boolean;
  database: string;
}

/**
 * 'ask': the DBA must type the database name; 'go': confirmed by flags. A backup the journal knows
 * follows the usual rule (typed name, or --yes with --database-url naming it). A dump from elsewhere
 * is typed for on a terminal even with --yes, and without one needs --foreign-dump as well.
 */
export function restoreConfirmation(d: CheckedDump, i: ConfirmationInputs): 'ask' | 'go' {
  const flagsName = `--yes together with --database-url naming the database ${i.database}`;
  if (d.provenance === 'journal') {
    if (i.terminal && !i.yes) return 'ask';
    if (i.yes && i.explicitlyNamed) return 'go';
    throw new UserError(
      `Refusing to restore ${i.database} without confirmation: without a terminal, pass ${flagsName}.`,
      'bad-input',
    );
  }
  if (i.foreignDump && i.yes && i.explicitlyNamed) return 'go';
  if (i.terminal) return 'ask';
  throw new UserError(
    `Refusing to restore ${i.database} from a dump the journal does not know (from elsewhere, or changed since it was made): run on a terminal to see its summary and type the database name, or pass --foreign-dump with ${flagsName}.`,
    'refused',
  );
}
