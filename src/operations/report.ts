// `report`: the journal of the target as a Markdown post-mortem. Read-only; it works with the
// server down too (the journal this URL wrote last), since that is when a post-mortem is wanted.
import { readJournalFile, type JournalContents } from '../journal/read.js';
import { journalWithoutServer } from '../journal/open.js';
import { parseSince, renderReport } from '../journal/report.js';
import { contextManifest } from '../safety/runbook.js';
import { UserError } from '../errors.js';
import type { Prepared } from './confirm.js';
import type { Workspace } from './workspace.js';
import { stopReading } from './stopDeadline.js';

export interface ReportPlan {
  file: string;
  journal: JournalContents;
  since?: Date;
}

export interface ReportResult {
  journal: string;
  lines: number;
  unreadable: number;
  markdown: string;
}

/** Which journal, and from when: `--since` is an ISO time, today or last-run. */
export async function prepareReport(
  ws: Workspace,
  input: { since?: string; journalDir?: string },
  io: { notice?: (sentence: string) => void } = {},
): Promise<Prepared<ReportPlan>> {
  // A missing or malformed URL is said before any journal is looked for.
  ws.target();
  const { file, notice } = await stopReading(ws.signal, journalToReport(ws, input.journalDir), 'report');
  if (notice) io.notice?.(notice);
  const journal = readJournalFile(file, { statements: 'report' });
  let since: Date | undefined;
  if (input.since !== undefined) {
    try {
      since = parseSince(input.since, journal.lines);
    } catch (err) {
      throw new UserError(
        `--since ${input.since}: ${(err as Error).message}; use an ISO time (2025-12-04T02:00), today or last-run.`,
        'bad-input',
      );
    }
  }
  return { plan: { file, journal, ...(since ? { since } : {}) }, question: null };
}

export async function executeReport(ws: Workspace, plan: ReportPlan): Promise<ReportResult> {
  // A broken manifest must not stop a post-mortem: the report is still useful without estimates.
  const manifest = await contextManifest(ws).catch(() => undefined);
  const { file, journal, since } = plan;
  const markdown = renderReport(journal, { target: ws.target().display, journalFile: file, manifest, since });
  return {
    journal: file,
    lines: journal.total ?? journal.lines.length,
    unreadable: journal.unreadable.length,
    markdown,
  };
}

/** The target's journal; with the server unreachable, the one this URL wrote last (and a sentence saying so). */
async function journalToReport(ws: Workspace, journalDir?: string): Promise<{ file: string; notice?: string }> {
  try {
    return { file: (await ws.journal()).file };
  } catch (err) {
    if (!(err instanceof UserError) || err.kind !== 'connection') throw err;
    const file = journalWithoutServer(ws.target(), journalDir);
    if (!file) throw err;
    return {
      file,
      notice: `The server cannot be reached to tell which journal is this database's, so this is the one last written through this URL: ${file}`,
    };
  }
}
