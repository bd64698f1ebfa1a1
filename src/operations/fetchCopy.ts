// `backup --restore s3://…`: the copy is fetched into the backup folder under a temporary name,
// checked against the sha256 the journal recorded for that copy, and only given its own name once the
// restore is accepted. The journal keeps the fetch and what became of it.
import type { StagedDownload } from '../safety/offsite.js';
import { journalledCopySha } from '../safety/journalFacts.js';
import { readJournalFile } from '../journal/read.js';
import type { Workspace } from './workspace.js';

export interface FetchedCopy extends StagedDownload {
  /** Gives the download its name (see StagedDownload.accept) and journals where it went. */
  accept(): Promise<string>;
  /** Removes the download and journals that nothing was kept. */
  discard(why?: string): Promise<void>;
}

export async function fetchCopyOperation(
  ws: Pick<Workspace, 'journal'>,
  url: string,
  backupDir: string,
  opts: { allowUnsafeDir?: boolean } = {},
): Promise<FetchedCopy> {
  const { downloadBackup } = await import('../safety/offsite.js');
  const journal = await ws.journal();
  const expected = journalledCopySha(readJournalFile(journal.file, { statements: 'none' }).lines, url);
  const end = journal.begin('backup.fetch', { location: url, expectedSha256: expected ?? null });
  let d: StagedDownload;
  try {
    d = await downloadBackup(url, backupDir, expected, undefined, opts);
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
  let ended = false;
  return {
    ...d,
    async accept() {
      const file = await d.accept();
      if (!ended) end({ ok: true, file, sha256: d.sha256, checkedAgainst: d.checkedAgainst });
      ended = true;
      return file;
    },
    async discard(why?: string) {
      await d.discard();
      if (!ended) end({ ok: false, sha256: d.sha256, discarded: true, ...(why ? { error: why } : {}) });
      ended = true;
    },
  };
}
