import { statSync } from 'node:fs';
import { readJournalTail, type JournalContents } from '../journal/read.js';

let last: { file: string; size: number; mtimeMs: number; contents: JournalContents } | undefined;

/**
 * The journal's tail (up to 8 MB), parsed again only when the file changed: the console reads the
 * states every few seconds, and an idle console must not parse megabytes of JSON each time.
 */
export function journalTail(file: string): JournalContents {
  const st = statSync(file, { throwIfNoEntry: false });
  if (st && last?.file === file && last.size === st.size && last.mtimeMs === st.mtimeMs) return last.contents;
  const contents = readJournalTail(file);
  last = st ? { file, size: st.size, mtimeMs: st.mtimeMs, contents } : undefined;
  return contents;
}
