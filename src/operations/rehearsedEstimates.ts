// The run's ETAs from the latest `rehearse --with-data` in this database's journal.
import type { Journal } from '../journal/journal.js';
import { readJournalFile } from '../journal/read.js';
import { rehearsedDurations, type RehearsedDuration } from '../journal/rehearsed.js';

/**
 * Fills INTO (shared with the progress printer) once the journal is read; in the background, so
 * that a run never waits for it. No journal yet, or one that cannot be read: no rehearsal ETAs,
 * the observed rate is used, and the run itself reports the journal's trouble.
 */
export function loadRehearsedDurations(
  ws: { journal(): Promise<Journal> },
  into: Map<string, RehearsedDuration>,
): void {
  void ws
    .journal()
    .then((j) => {
      for (const [name, d] of rehearsedDurations(readJournalFile(j.file, { statements: 'none' }))) into.set(name, d);
    })
    .catch(() => undefined);
}
