import { existsSync, readFileSync, openSync, readSync, fstatSync, closeSync } from 'node:fs';
import type { JournalLine } from './journal.js';

export interface JournalContents {
  lines: JournalLine[];
  /** Lines that do not parse: a process killed mid-write leaves at most a truncated last line. */
  unreadable: { lineNo: number; text: string }[];
  /** Every line the file holds, kept or not (a reader that drops per-statement lines keeps fewer). */
  total?: number;
}

/**
 * What a reader keeps of the per-statement lines, which are nearly all of a long journal (a
 * 10,000-statement run writes 7 MB): 'all' keeps them (tests, small files); 'none' drops them
 * (backups, checklist, restore, slow log); 'index-builds' keeps the statements that create an
 * index (`verify --performance`); 'report' keeps the statement ends folded, one line per
 * uninterrupted stretch of one migration, their numbers in details.indexes (the report counts them).
 */
export type StatementLines = 'all' | 'none' | 'index-builds' | 'report';

/** At most this many unreadable lines are kept for the report (a damaged file is counted whole). */
const MAX_UNREADABLE = 100;
const CHUNK = 1 << 20;

/**
 * Reads a journal file line by line in bounded memory (a chunk at a time: a journal of gigabytes
 * never becomes one string), leniently: every complete line is kept, a damaged one is reported.
 */
export function readJournalFile(file: string, opts: { statements?: StatementLines } = {}): JournalContents {
  const out: JournalContents = { lines: [], unreadable: [], total: 0 };
  if (!existsSync(file)) return out;
  const keep = lineFilter(opts.statements ?? 'all', out);
  const fd = openSync(file, 'r');
  try {
    let buf = Buffer.alloc(CHUNK);
    let have = 0; // bytes of buf holding a line not finished yet, then the new chunk
    let lineNo = 0;
    for (;;) {
      if (have === buf.length) buf = Buffer.concat([buf, Buffer.alloc(buf.length)]); // one line longer than a chunk
      const n = readSync(fd, buf, have, buf.length - have, null);
      const end = have + n;
      let start = 0;
      // Lines are cut on the byte 0x0a, which never occurs inside a UTF-8 character.
      for (let nl = buf.indexOf(10, start); nl >= 0 && nl < end; nl = buf.indexOf(10, start)) {
        keep(buf.subarray(start, nl), ++lineNo);
        start = nl + 1;
      }
      if (n === 0) {
        if (start < end) keep(buf.subarray(start, end), ++lineNo);
        break;
      }
      buf.copy(buf, 0, start, end);
      have = end - start;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

const STATEMENT = Buffer.from('"action":"migration.statement');
const STATEMENT_END = Buffer.from('"action":"migration.statement-end"');
const CREATE_INDEX = /CREATE\s+(?:UNIQUE\s+)?INDEX/i;

function lineFilter(mode: StatementLines, out: JournalContents): (raw: Buffer | string, lineNo: number) => void {
  let folded: { pid: number; name: unknown; indexes: Set<number> } | undefined;
  return (bytes, lineNo) => {
    if (bytes.length === 0) return;
    // The writer's key order puts "action" after pid: a per-statement line is known before it is
    // decoded or parsed, which is most of what a long journal holds.
    const perStatement = mode !== 'all' && bytes.indexOf(STATEMENT as never) >= 0;
    const isEnd = perStatement && bytes.indexOf(STATEMENT_END as never) >= 0;
    // (an index build is looked for in a cheap one-byte-per-character view before the line is decoded)
    const noIndex = () =>
      mode === 'index-builds' && typeof bytes !== 'string' && !CREATE_INDEX.test(bytes.toString('latin1'));
    if (
      perStatement &&
      (mode === 'none' || (mode === 'report' && !isEnd) || (mode === 'index-builds' && (isEnd || noIndex())))
    ) {
      out.total!++;
      return;
    }
    const raw = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
    if (!raw.trim()) return;
    out.total!++;
    if (perStatement && mode === 'index-builds' && !CREATE_INDEX.test(raw)) return;
    const line = parseLine(raw);
    if (!line) {
      if (out.unreadable.length < MAX_UNREADABLE) out.unreadable.push({ lineNo, text: raw.slice(0, 120) });
      return;
    }
    if (perStatement && mode === 'report') {
      const d = (line.details ?? {}) as { at?: unknown; name?: unknown; index?: unknown };
      if (typeof d.index !== 'number') return;
      const last = out.lines[out.lines.length - 1];
      if (folded && last?.action === 'migration.statement-end' && folded.pid === line.pid && folded.name === d.name) {
        folded.indexes.add(d.index);
        return;
      }
      folded = { pid: line.pid, name: d.name, indexes: new Set([d.index]) };
      line.details = { at: d.at, name: d.name, index: d.index, indexes: folded.indexes };
    }
    out.lines.push(line);
  };
}

function parseLine(raw: string): JournalLine | undefined {
  try {
    const v = JSON.parse(raw) as JournalLine;
    return v && typeof v === 'object' && typeof v.action === 'string' && typeof v.time === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export function parseJournal(text: string): JournalContents {
  const out: JournalContents = { lines: [], unreadable: [], total: 0 };
  const keep = lineFilter('all', out);
  text.split('\n').forEach((raw, i) => keep(raw, i + 1));
  return out;
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
