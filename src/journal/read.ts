import { existsSync, readFileSync, openSync, readSync, fstatSync, closeSync } from 'node:fs';
import type { JournalLine } from './journal.js';

export interface JournalContents {
  lines: JournalLine[];
  /** Lines that do not parse: a process killed mid-write leaves at most a truncated last line. */
  unreadable: { lineNo: number; text: string }[];
}

/** Reads a journal file leniently: every complete line is kept, a damaged one is reported, not fatal. */
export function readJournalFile(file: string): JournalContents {
  if (!existsSync(file)) return { lines: [], unreadable: [] };
  return parseJournal(readFileSync(file, 'utf8'));
}

export function parseJournal(text: string): JournalContents {
  const lines: JournalLine[] = [];
  const unreadable: JournalContents['unreadable'] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      const v = JSON.parse(raw) as JournalLine;
      if (v && typeof v === 'object' && typeof v.action === 'string' && typeof v.time === 'string') lines.push(v);
      else unreadable.push({ lineNo: i + 1, text: raw.slice(0, 120) });
    } catch {
      unreadable.push({ lineNo: i + 1, text: raw.slice(0, 120) });
    }
  });
  return { lines, unreadable };
}

/**
 * The last maxBytes of a journal (whole lines only): enough for `status` to find an attempt that
 * never ended, without reading a journal that per-statement lines have made hundreds of MB long.
 */
export function readJournalTail(file: string, maxBytes = 8 * 1024 * 1024): JournalContents {
  if (!existsSync(file)) return { lines: [], unreadable: [] };
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= maxBytes) return parseJournal(readFileSync(fd, 'utf8'));
    const buf = Buffer.alloc(maxBytes);
    readSync(fd, buf, 0, maxBytes, size - maxBytes);
    const text = buf.toString('utf8');
    return parseJournal(text.slice(text.indexOf('\n') + 1));
  } finally {
    closeSync(fd);
  }
}
