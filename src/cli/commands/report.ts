import type { Context } from '../context.js';
import { print, printJson } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { readJournalFile } from '../../journal/read.js';
import { parseSince, renderReport } from '../../journal/report.js';
import { contextManifest } from '../../safety/runbook.js';

export default async function report(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const target = ctx.target();
  const file = (await ctx.journal()).file;
  const journal = readJournalFile(file, { statements: 'report' });
  let since: Date | undefined;
  if (typeof opts.since === 'string') {
    try {
      since = parseSince(opts.since, journal.lines);
    } catch (err) {
      throw new UserError(`--since ${opts.since}: ${(err as Error).message}; use an ISO time (2025-12-04T02:00), today or last-run.`, 'bad-input');
    }
  }
  // A broken manifest must not stop a post-mortem: the report is still useful without estimates.
  const manifest = await contextManifest(ctx).catch(() => undefined);
  const markdown = renderReport(journal, { target: target.display, journalFile: file, manifest, since });
  if (ctx.json) printJson({ journal: file, lines: journal.total ?? journal.lines.length, unreadable: journal.unreadable.length, markdown });
  else print(markdown.trimEnd());
  return ExitCode.ok;
}
