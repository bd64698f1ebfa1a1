import type { Context } from '../context.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { readJournalFile } from '../../journal/read.js';
import { journalWithoutServer } from '../../journal/open.js';
import { parseSince, renderReport } from '../../journal/report.js';
import { contextManifest } from '../../safety/runbook.js';

export default async function report(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  if (opts.fleet) return (await import('./fleetReport.js')).default(ctx, opts);
  const target = ctx.target();
  const file = await journalToReport(ctx);
  const journal = readJournalFile(file, { statements: 'report' });
  let since: Date | undefined;
  if (typeof opts.since === 'string') {
    try {
      since = parseSince(opts.since, journal.lines);
    } catch (err) {
      throw new UserError(
        `--since ${opts.since}: ${(err as Error).message}; use an ISO time (2025-12-04T02:00), today or last-run.`,
        'bad-input',
      );
    }
  }
  // A broken manifest must not stop a post-mortem: the report is still useful without estimates.
  const manifest = await contextManifest(ctx).catch(() => undefined);
  const markdown = renderReport(journal, { target: target.display, journalFile: file, manifest, since });
  if (ctx.json)
    printJson({
      journal: file,
      lines: journal.total ?? journal.lines.length,
      unreadable: journal.unreadable.length,
      markdown,
    });
  else print(markdown.trimEnd());
  return ExitCode.ok;
}

/** The target's journal; with the server unreachable, the one this URL wrote last (said on stderr). */
async function journalToReport(ctx: Context): Promise<string> {
  try {
    return (await ctx.journal()).file;
  } catch (err) {
    if (!(err instanceof UserError) || err.kind !== 'connection') throw err;
    const file = journalWithoutServer(ctx.target(), ctx.opts.journalDir);
    if (!file) throw err;
    printErr(
      `The server cannot be reached to tell which journal is this database's, so this is the one last written through this URL: ${file}`,
    );
    return file;
  }
}
