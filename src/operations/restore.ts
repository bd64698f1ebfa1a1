// `backup --restore FILE|s3://…`: the guide's "Full Database Restore". Prepare checks the dump (and
// fetches a copy from S3, held aside under a temporary name) and says what it holds; the question
// wants the database name typed, and for a dump the journal does not know more than --yes.
// Execute drops and recreates the database from exactly that file, journalled.
import path from 'node:path';
import { restoreBackup, type RestoreResult } from '../safety/restore.js';
import { checkBackupFile, provenanceLine, type CheckedDump } from '../safety/restoreTrust.js';
import { describeDump } from '../safety/dumpSummary.js';
import { parseTarget } from '../postgres/target.js';
import { fetchCopyOperation, type FetchedCopy } from './fetchCopy.js';
import type { AheadRule, Prepared, Question } from './confirm.js';
import type { Workspace } from './workspace.js';
import { refuseStandbyTarget } from './standby.js';

export type { RestoreResult };

export interface RestoreInput {
  /** A dump's path, or the s3:// URL of a copy `backup --copy-to` made. */
  given: string;
  /** Where a copy fetched from S3 is kept once the restore is confirmed. */
  backupDir: string;
  allowUnsafeDir?: boolean;
  /** --foreign-dump: the DBA accepts, in advance, a dump the journal does not know. */
  foreignDump?: boolean;
  /** The --database-url of the command line, if any: a script's --yes counts only when it names the database. */
  commandLineUrl?: string;
}

export interface RestorePlan {
  file: string;
  checked: CheckedDump;
  /** Where the dump comes from and what it holds: said before anything is asked or done. */
  about: string[];
  /** A copy fetched from S3, held aside until execute keeps it (or cancel removes it). */
  fetched?: FetchedCopy;
}

export interface RestoreIo {
  /** A copy was fetched from S3 and its sha256 checked (said before the dump is read). */
  onFetched?: (d: { url: string; checkedAgainst: 'journal' | 'record'; backupDir: string }) => void;
  /** The fetched copy was given its own name in the backup folder. */
  onKept?: (file: string) => void;
}

export async function prepareRestore(
  ws: Workspace,
  input: RestoreInput,
  io: RestoreIo = {},
): Promise<Prepared<RestorePlan>> {
  const target = ws.target();
  // Before anything is fetched, asked or dropped: a standby cannot be restored into.
  await refuseStandbyTarget(ws, 'restore a backup', 'Stopped before the restore began; nothing was changed.');
  const fetched = input.given.startsWith('s3://')
    ? await fetchCopyOperation(ws, input.given, input.backupDir, { allowUnsafeDir: input.allowUnsafeDir })
    : undefined;
  if (fetched)
    io.onFetched?.({
      url: input.given,
      checkedAgainst: fetched.checkedAgainst,
      backupDir: path.resolve(input.backupDir),
    });
  const file = fetched ? fetched.file : path.resolve(input.given);
  try {
    const journal = await ws.journal();
    const checked = await checkBackupFile(file, journal.file, journal.identity);
    const about = [provenanceLine(checked, journal.file), ...describeDump(fetched?.name ?? file, checked.summary)];
    const question: Question = {
      title: `This will drop ${target.display} and restore it from ${path.basename(fetched?.name ?? file)}. Everything written since the dump is lost.`,
      lines: [],
      kind: 'type-database-name',
      expected: target.database,
      verb: 'confirm',
      ahead: aheadRule(checked, input, target.database),
    };
    return { plan: { file, checked, about, ...(fetched ? { fetched } : {}) }, question };
  } catch (err) {
    await fetched?.discard((err as Error).message);
    throw err;
  }
}

/**
 * A backup the journal knows follows the usual rule (the name typed, or --yes with --database-url
 * naming the database); a dump from elsewhere is typed for on a terminal even with --yes, and
 * without one needs --foreign-dump as well.
 */
function aheadRule(d: CheckedDump, input: RestoreInput, database: string): AheadRule {
  const flagsName = `--yes together with --database-url naming the database ${database}`;
  const named = explicitlyNamed(input.commandLineUrl, database);
  if (d.provenance === 'journal')
    return {
      confirms: named,
      askEvenWithYes: false,
      refusal: `Refusing to restore ${database} without confirmation: without a terminal, pass ${flagsName}.`,
      refusalKind: 'bad-input',
    };
  return {
    confirms: named && Boolean(input.foreignDump),
    askEvenWithYes: true,
    refusal: `Refusing to restore ${database} from a dump the journal does not know (from elsewhere, or changed since it was made): run on a terminal to see its summary and type the database name, or pass --foreign-dump with ${flagsName}.`,
    refusalKind: 'refused',
  };
}

/** Named in the URL itself, not filled in from PGDATABASE or a service file. */
function explicitlyNamed(url: string | undefined, database: string): boolean {
  if (!url) return false;
  const given = parseTarget(url);
  return given.sources.dbname === 'url' && given.database === database;
}

/** Declined or refused: a fetched copy is removed, and the journal says nothing was kept. */
export async function cancelRestore(plan: RestorePlan, why: string): Promise<void> {
  await plan.fetched?.discard(why);
}

export interface RestoreOutcome extends RestoreResult {
  summary: CheckedDump['summary'];
}

/** Drops and recreates the database from the plan's file; the journal keeps the file, its sha256 and the result. */
export async function executeRestore(ws: Workspace, plan: RestorePlan, io: RestoreIo = {}): Promise<RestoreOutcome> {
  let { file, checked } = plan;
  if (plan.fetched) {
    file = await plan.fetched.accept();
    checked = { ...checked, file };
    io.onKept?.(file);
  }
  const end = (await ws.journal()).begin('backup.restore', {
    file,
    sha256: checked.sha256,
    provenance: checked.provenance,
    source: checked.summary.database,
    createdAt: checked.summary.createdAt,
    securityDefiner: checked.summary.securityDefiner,
  });
  try {
    const r = await restoreBackup(ws.target(), file, checked, await ws.identity());
    end({ ok: r.verified, method: r.method, comparison: r.comparison, durationMs: r.durationMs, warnings: r.warnings });
    return { ...r, summary: checked.summary };
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
}
