// A database's journal, opened under its identity key (journal.ts, journalFileFor).
//
// Journals written before files were keyed by server identity were named host_port_database.jsonl:
// one per connection path, and shared by two databases whose names differ only in characters the
// name replaced ("ht_x y", "ht_x_y"). The first time a database's journal is opened under its new
// name, the older file's lines about that database (by the URL each line names) are copied into it,
// so report, check and restore still read them; the older file is left as it is.
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { parse } from 'pg-connection-string';
import { readJournalFile } from './read.js';
import { Journal, defaultJournalDir, journalFileFor, legacyJournalFileFor, type JournalLine } from './journal.js';
import { serverKey, type ServerIdentity } from '../postgres/identity.js';
import type { Target } from '../postgres/target.js';

/** The journal of the database `id` names; lines of an older file for this URL are brought in first. */
export function openJournal(target: Target, id: ServerIdentity, dir?: string): Journal {
  const file = journalFileFor(id, dir);
  // the older file was named by the URL, and its lines name the URL's database
  importLegacyJournal(legacyJournalFileFor(target, dir), file, target.database, id.database);
  return new Journal(file, target.redacted, { database: id.database, server: serverKey(id) });
}

/** The database a line of an older journal was about, from the (redacted) URL it names. */
function databaseOf(line: JournalLine): string | undefined {
  try {
    return parse(line.target).database ?? undefined;
  } catch {
    return undefined;
  }
}

/** Copies the older file's lines about `urlDatabase` into `file` (as lines about `database`), unless `file` exists. */
export function importLegacyJournal(legacyFile: string, file: string, urlDatabase: string, database: string): number {
  if (legacyFile === file || !existsSync(legacyFile) || existsSync(file)) return 0;
  const lines = readJournalFile(legacyFile).lines.filter((l) => (l.database ?? databaseOf(l)) === urlDatabase);
  if (!lines.length) return 0;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.import-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, lines.map((l) => JSON.stringify({ ...l, database })).join('\n') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // A link fails if the file appeared meanwhile (another process opened the journal first): its copy stands.
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return 0;
  } finally {
    unlinkSync(tmp);
  }
  return lines.length;
}

/**
 * For reading while the server cannot be asked who it is (a post-mortem with the server down): the
 * journal of this database last written through this same URL, else the older file named by it.
 */
export function journalWithoutServer(target: Target, dir = defaultJournalDir()): string | undefined {
  const prefix = `${target.database.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60)}.`;
  const mine = (existsSync(dir) ? readdirSync(dir) : [])
    .filter((f) => f.startsWith(prefix) && /^[0-9a-f]{16}\.jsonl$/.test(f.slice(prefix.length)))
    .map((f) => path.join(dir, f))
    .filter((f) => readJournalFile(f).lines.some((l) => l.database === target.database && l.target === target.redacted))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (mine.length) return mine[0];
  const legacy = legacyJournalFileFor(target, dir);
  return existsSync(legacy) ? legacy : undefined;
}
