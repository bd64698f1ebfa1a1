import path from 'node:path';
import type { Context } from '../context.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { confirmByTyping } from '../prompt.js';
import type { BackupProgress } from '../../safety/backup.js';
import { backupOperation, cleanScratchOperation } from '../../operations/backup.js';
import type { ScratchCleanup } from '../../safety/scratchCleanup.js';
import { DEFAULTS } from '../../defaults.js';
import { restoreBackup } from '../../safety/restore.js';
import { refuseStandby } from '../../postgres/identity.js';
import { checkBackupFile, provenanceLine, restoreConfirmation } from '../../safety/restoreTrust.js';
import { describeDump } from '../../safety/dumpSummary.js';
import { formatBytes, formatDuration } from '../../safety/format.js';
import { parseTarget } from '../../postgres/target.js';
import { fetchCopyOperation, type FetchedCopy } from '../../operations/fetchCopy.js';

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

/** Ctrl-C or SIGTERM ends pg_dump or pg_restore and removes what they left; a second one quits at once. */
async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T | typeof INTERRUPTED> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    printErr(
      '\nStopping: ending pg_dump/pg_restore and removing the partial backup and the scratch copy (again to quit at once)…',
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } catch (err) {
    if (!controller.signal.aborted) throw err;
    printErr((err as Error).message);
    // A stalled session would keep the process alive: it ends once the sentence is printed.
    setTimeout(() => process.exit(ExitCode.interrupted), 100).unref();
    return INTERRUPTED;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
const INTERRUPTED = Symbol('interrupted');

function printScratch(s: ScratchCleanup | undefined): void {
  for (const r of s?.removed ?? [])
    print(
      `Removed ${r.name} (${r.bytes === null ? 'size unknown' : formatBytes(r.bytes)}), a scratch copy left by a citadel-migrate that did not finish`,
    );
  for (const n of s?.inUse ?? []) print(`  ${n} belongs to a citadel-migrate still running: left alone`);
  for (const k of s?.kept ?? []) print(`  ! ${k.name} was left: ${k.why}`);
}

async function cleanScratch(ctx: Context): Promise<number> {
  const r = await cleanScratchOperation(ctx);
  if (ctx.json) printJson(r);
  else if (!r.removed.length && !r.kept.length && !r.inUse.length)
    print(`No scratch database left by an earlier run on ${ctx.target().display}.`);
  else printScratch(r);
  return r.kept.length ? ExitCode.failed : ExitCode.ok;
}

async function backup(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  const tty = Boolean(process.stderr.isTTY);
  let lastCopyLine = 0;
  // Known before the operation starts (its copy progress names it while it is under way); the
  // runbook's copyTo, when no flag gives one, is known from the result.
  const copyTo = typeof opts.copyTo === 'string' ? opts.copyTo : undefined;
  const outcome = await interruptible((signal) =>
    backupOperation(
      ctx,
      {
        backupDir: String(opts.backupDir ?? DEFAULTS.backupDir),
        allowUnsafeDir: Boolean(opts.allowUnsafeBackupDir),
        copyTo,
        signal,
        ...(typeof opts.verifyOn === 'string' ? { verifyOn: opts.verifyOn } : {}),
      },
      {
        onProgress: ctx.json ? undefined : progressPrinter(),
        onPhase: ctx.json ? undefined : (phase) => process.stderr.write(`${tty ? '\r\x1b[K' : ''}${phase}…\n`),
        onCopyProgress: ctx.json
          ? undefined
          : (p) => {
              const text = `copying to ${copyTo ?? "the runbook's copyTo"}: ${formatBytes(p.loaded)} of ${formatBytes(p.total)}`;
              if (tty) process.stderr.write(`\r${text}\x1b[K${p.loaded === p.total ? '\n' : ''}`);
              else if (Date.now() - lastCopyLine > 5000 || p.loaded === p.total) {
                lastCopyLine = Date.now();
                printErr(text);
              }
            },
      },
    ),
  );
  if (outcome === INTERRUPTED) return ExitCode.interrupted;
  const { backup: r, copy, copyTo: storeTo, scratch } = outcome;
  if (ctx.json) {
    const { warnings, ...rest } = r;
    printJson({ ...rest, ...(warnings.length ? { warnings } : {}), ...(scratch ? { scratchCleanup: scratch } : {}) });
  } else {
    printScratch(scratch);
    const c = r.restoreCheck;
    print(`Backup ${r.path}`);
    if (opts.backupDir === undefined)
      print(
        `  in the default backup folder ${path.dirname(r.path)} (0700, outside the project; --backup-dir to choose another)`,
      );
    print(`  ${formatBytes(r.bytes)}, sha256 ${r.sha256}, ${formatDuration(r.durationMs)}`);
    if (r.verified)
      print(
        `  ✓ verified: restored into ${c.scratchDatabase}${c.verifiedOn === 'the target' ? '' : ` on ${c.verifiedOn}`} (dropped), ${c.tables} tables and ${c.rowsCompared} rows match the source exactly${c.snapshotConsistent ? ' (same snapshot as the dump)' : ''}`,
      );
    else if (c.error) print(`  ✗ NOT verified: ${c.error}`);
    else
      print(
        `  ✗ NOT verified: ${c.mismatches.length} table(s) differ: ${c.mismatches
          .slice(0, 5)
          .map((m) => `${m.table} source ${m.source ?? 'missing'} / restored ${m.restored ?? 'missing'}`)
          .join('; ')}`,
      );
    for (const w of r.warnings) print(`  ! ${w}`);
    if (copy?.ok)
      print(`  ✓ copied to ${copy.location}: read back, sha256 matches (${formatDuration(copy.durationMs)})`);
    if (storeTo && !r.verified) print(`  ✗ not copied to ${storeTo}: only a verified backup is stored off the host`);
  }
  if (copy && !copy.ok)
    throw new UserError(`The backup ${r.path} is verified and kept here, but its copy failed: ${copy.error}`, 'failed');
  return r.verified ? ExitCode.ok : ExitCode.failed;
}

/** The --database-url given on the command line (not the environment) must name the database. */
function explicitlyNamed(ctx: Context, database: string): boolean {
  if (!ctx.opts.databaseUrl) return false;
  // named in the URL itself, not filled in from PGDATABASE or a service file
  const given = parseTarget(ctx.opts.databaseUrl);
  return given.sources.dbname === 'url' && given.database === database;
}

/** A copy fetched from S3: held aside under a temporary name until the restore is confirmed. */
async function fetchCopy(ctx: Context, url: string, opts: Record<string, unknown>): Promise<FetchedCopy> {
  const dir = String(opts.backupDir ?? DEFAULTS.backupDir);
  const d = await fetchCopyOperation(ctx, url, dir, { allowUnsafeDir: Boolean(opts.allowUnsafeBackupDir) });
  const against =
    d.checkedAgainst === 'journal' ? 'the journal' : "the copy's own record (this journal did not make the copy)";
  if (!ctx.json)
    printErr(
      `Downloaded ${url}: sha256 matches ${against}; held aside until the restore is confirmed, nothing in ${path.resolve(dir)} is replaced`,
    );
  return d;
}

async function restore(ctx: Context, given: string, opts: Record<string, unknown>): Promise<number> {
  const target = ctx.target();
  // Before anything is fetched, asked or dropped: a standby cannot be restored into.
  refuseStandby(await ctx.identity(), 'restore a backup');
  const fetched = given.startsWith('s3://') ? await fetchCopy(ctx, given, opts) : undefined;
  let file = fetched ? fetched.file : path.resolve(given);
  const journal = await ctx.journal();
  const journalFile = journal.file;
  let checked;
  try {
    checked = await checkBackupFile(file, journalFile, journal.identity);
    // Where the dump comes from and what it holds, before anything is asked or done.
    for (const line of [provenanceLine(checked, journalFile), ...describeDump(fetched?.name ?? file, checked.summary)])
      printErr(line);
    const how = restoreConfirmation(checked, {
      terminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
      yes: Boolean(ctx.opts.yes),
      foreignDump: Boolean(opts.foreignDump),
      explicitlyNamed: explicitlyNamed(ctx, target.database),
      database: target.database,
    });
    if (
      how === 'ask' &&
      !(await confirmByTyping(
        `This will drop ${target.display} and restore it from ${path.basename(fetched?.name ?? file)}. Everything written since the dump is lost.`,
        target.database,
      ))
    ) {
      throw new UserError('Restore cancelled: the database name was not typed.', 'bad-input');
    }
  } catch (err) {
    await fetched?.discard((err as Error).message);
    throw err;
  }
  if (fetched) {
    file = await fetched.accept();
    checked = { ...checked, file };
    if (!ctx.json) printErr(`Kept the download as ${file}`);
  }
  const end = (await ctx.journal()).begin('backup.restore', {
    file,
    sha256: checked.sha256,
    provenance: checked.provenance,
    source: checked.summary.database,
    createdAt: checked.summary.createdAt,
    securityDefiner: checked.summary.securityDefiner,
  });
  try {
    const r = await restoreBackup(target, file, checked, await ctx.identity());
    end({ ok: r.verified, method: r.method, comparison: r.comparison, durationMs: r.durationMs, warnings: r.warnings });
    if (ctx.json) printJson({ ...r, summary: checked.summary });
    else {
      print(
        `Restored ${target.display} from ${file} (${r.provenance === 'journal' ? 'a backup recorded in the journal' : 'a dump from elsewhere'}; ${r.method === 'drop-and-create' ? 'dropped and recreated' : 'pg_restore --clean'}) in ${formatDuration(r.durationMs)}`,
      );
      const c = r.comparison;
      if (c)
        print(
          r.verified
            ? `  ✓ ${c.tables} tables and ${c.rowsCompared} rows match the counts recorded with the backup`
            : `  ✗ ${c.mismatches.length} table(s) differ from the backup's record: ${c.mismatches
                .slice(0, 5)
                .map((m) => `${m.table} recorded ${m.source ?? 'missing'} / restored ${m.restored ?? 'missing'}`)
                .join('; ')}`,
        );
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
    return restore(ctx, opts.restore, opts);
  }
  if (opts.cleanScratch) return cleanScratch(ctx);
  return backup(ctx, opts);
}
