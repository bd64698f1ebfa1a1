import path from 'node:path';
import type { Context } from '../context.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { confirmByTyping } from '../prompt.js';
import type { BackupProgress } from '../../safety/backup.js';
import { backupOperation } from '../../operations/backup.js';
import { DEFAULTS } from '../../defaults.js';
import { restoreBackup } from '../../safety/restore.js';
import { checkBackupFile, provenanceLine, restoreConfirmation } from '../../safety/restoreTrust.js';
import { describeDump } from '../../safety/dumpSummary.js';
import { formatBytes, formatDuration } from '../../safety/format.js';
import { parseTarget } from '../../postgres/target.js';
import { journalledCopySha } from '../../safety/journalFacts.js';
import { readJournalFile } from '../../journal/read.js';

/** Progress on stderr: in place on a terminal, a line every few seconds in a log. */
function progressPrinter(): (p: BackupProgress) => void {
  const tty = Boolean(process.stderr.isTTY);
  let lastLine = -Infinity;
  return (p) => {
    const text = `pg_dump: ${formatBytes(p.bytesWritten)} written (database ${formatBytes(p.databaseBytes)}, compressed dump) ${formatDuration(p.elapsedMs)}${p.done ? ', done' : ''}`;
    if (tty) process.stderr.write(`\r${text}\x1b[K${p.done ? '\n' : ''}`);
    else if (p.done || p.elapsedMs - lastLine >= 5000) {
      lastLine = p.elapsedMs;
      printErr(text);
    }
  };
}

async function backup(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  const tty = Boolean(process.stderr.isTTY);
  let lastCopyLine = 0;
  const { backup: r, copy, copyTo } = await backupOperation(
    ctx,
    { backupDir: String(opts.backupDir ?? DEFAULTS.backupDir), allowUnsafeDir: Boolean(opts.allowUnsafeBackupDir), copyTo: typeof opts.copyTo === 'string' ? opts.copyTo : undefined },
    {
      onProgress: ctx.json ? undefined : progressPrinter(),
      onPhase: ctx.json ? undefined : (phase) => process.stderr.write(`${tty ? '\r\x1b[K' : ''}${phase}…\n`),
      onCopyProgress: ctx.json ? undefined : (p) => {
        const text = `copying to ${copyTo ?? 'the store'}: ${formatBytes(p.loaded)} of ${formatBytes(p.total)}`;
        if (tty) process.stderr.write(`\r${text}\x1b[K${p.loaded === p.total ? '\n' : ''}`);
        else if (Date.now() - lastCopyLine > 5000 || p.loaded === p.total) {
          lastCopyLine = Date.now();
          printErr(text);
        }
      },
    },
  );
  if (ctx.json) {
    const { warnings, ...rest } = r;
    printJson({ ...rest, ...(warnings.length ? { warnings } : {}) });
  } else {
    const c = r.restoreCheck;
    print(`Backup ${r.path}`);
    print(`  ${formatBytes(r.bytes)}, sha256 ${r.sha256}, ${formatDuration(r.durationMs)}`);
    if (r.verified) print(`  ✓ verified: restored into ${c.scratchDatabase} (dropped), ${c.tables} tables and ${c.rowsCompared} rows match the source exactly${c.snapshotConsistent ? ' (same snapshot as the dump)' : ''}`);
    else if (c.error) print(`  ✗ NOT verified: ${c.error}`);
    else print(`  ✗ NOT verified: ${c.mismatches.length} table(s) differ: ${c.mismatches.slice(0, 5).map((m) => `${m.table} source ${m.source ?? 'missing'} / restored ${m.restored ?? 'missing'}`).join('; ')}`);
    for (const w of r.warnings) print(`  ! ${w}`);
    if (copy?.ok) print(`  ✓ copied to ${copy.location}: read back, sha256 matches (${formatDuration(copy.durationMs)})`);
    if (copyTo && !r.verified) print(`  ✗ not copied to ${copyTo}: only a verified backup is stored off the host`);
  }
  if (copy && !copy.ok) throw new UserError(`The backup ${r.path} is verified and kept here, but its copy failed: ${copy.error}`, 'failed');
  return r.verified ? ExitCode.ok : ExitCode.failed;
}


/** Fetches s3://… into the backup folder, checked against the sha256 the journal recorded for that copy. */
async function fetchCopy(ctx: Context, url: string, backupDir: string): Promise<string> {
  const { downloadBackup } = await import('../../safety/offsite.js');
  const expected = journalledCopySha(readJournalFile((await ctx.journal()).file).lines, url);
  const end = (await ctx.journal()).begin('backup.fetch', { location: url, expectedSha256: expected ?? null });
  try {
    const d = await downloadBackup(url, backupDir, expected);
    end({ ok: true, file: d.file, sha256: d.sha256, checkedAgainst: d.checkedAgainst });
    if (!ctx.json) printErr(`Downloaded ${url} to ${d.file}: sha256 matches ${d.checkedAgainst === 'journal' ? 'the journal' : "the copy's own record (this journal did not make the copy)"}`);
    return d.file;
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
}

/** The --database-url given on the command line (not the environment) must name the database. */
function explicitlyNamed(ctx: Context, database: string): boolean {
  if (!ctx.opts.databaseUrl) return false;
  // named in the URL itself, not filled in from PGDATABASE or a service file
  const given = parseTarget(ctx.opts.databaseUrl);
  return given.sources.dbname === 'url' && given.database === database;
}

async function restore(ctx: Context, file: string, opts: Record<string, unknown>): Promise<number> {
  const target = ctx.target();
  file = path.resolve(file);
  const journal = await ctx.journal();
  const journalFile = journal.file;
  const checked = await checkBackupFile(file, journalFile, journal.identity);
  // Where the dump comes from and what it holds, before anything is asked or done.
  for (const line of [provenanceLine(checked, journalFile), ...describeDump(file, checked.summary)]) printErr(line);
  const how = restoreConfirmation(checked, {
    terminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    yes: Boolean(ctx.opts.yes),
    foreignDump: Boolean(opts.foreignDump),
    explicitlyNamed: explicitlyNamed(ctx, target.database),
    database: target.database,
  });
  if (how === 'ask' && !(await confirmByTyping(`This will drop ${target.display} and restore it from ${path.basename(file)}. Everything written since the dump is lost.`, target.database))) {
    throw new UserError('Restore cancelled: the database name was not typed.', 'bad-input');
  }
  const end = (await ctx.journal()).begin('backup.restore', { file, sha256: checked.sha256, provenance: checked.provenance, source: checked.summary.database, createdAt: checked.summary.createdAt, securityDefiner: checked.summary.securityDefiner });
  try {
    const r = await restoreBackup(target, file, checked, await ctx.identity());
    end({ ok: r.verified, method: r.method, comparison: r.comparison, durationMs: r.durationMs, warnings: r.warnings });
    if (ctx.json) printJson({ ...r, summary: checked.summary });
    else {
      print(`Restored ${target.display} from ${file} (${r.provenance === 'journal' ? 'a backup recorded in the journal' : 'a dump from elsewhere'}; ${r.method === 'drop-and-create' ? 'dropped and recreated' : 'pg_restore --clean'}) in ${formatDuration(r.durationMs)}`);
      const c = r.comparison;
      if (c) print(r.verified
        ? `  ✓ ${c.tables} tables and ${c.rowsCompared} rows match the counts recorded with the backup`
        : `  ✗ ${c.mismatches.length} table(s) differ from the backup's record: ${c.mismatches.slice(0, 5).map((m) => `${m.table} recorded ${m.source ?? 'missing'} / restored ${m.restored ?? 'missing'}`).join('; ')}`);
      for (const w of r.warnings) print(`  ! ${w}`);
    }
    return r.verified ? ExitCode.ok : ExitCode.failed;
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
}

export default async function (ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  if (typeof opts.restore === 'string') {
    const file = opts.restore.startsWith('s3://') ? await fetchCopy(ctx, opts.restore, String(opts.backupDir ?? DEFAULTS.backupDir)) : opts.restore;
    return restore(ctx, file, opts);
  }
  return backup(ctx, opts);
}
