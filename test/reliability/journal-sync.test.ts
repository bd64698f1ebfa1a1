import { describe, it, expect } from 'vitest';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { BIN, CLI_ENV } from '../helpers/cli.js';
import { journalFolder } from '../helpers/journal.js';
import { lacks } from '../helpers/tools.js';

/**
 * The journal's sync rules (README, "The journal"), checked on the system calls of a real run
 * (strace): the sandbox runs PostgreSQL with fsync off, but the journal's own writes and
 * fdatasyncs are the console's, and their order against what it sends to the server is what
 * makes "a killed process leaves an intent without a result" true after a power loss too.
 */
/** Why strace cannot trace a process here, or undefined when it can. */
function straceProblem(): string | undefined {
  try {
    execFileSync('strace', ['-f', '-qq', '-e', 'trace=none', 'true'], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    return e.code === 'ENOENT'
      ? 'strace is not installed'
      : `strace cannot trace here (${String(e.stderr ?? e).trim()})`;
  }
}

type Call = { kind: 'journal-write'; text: string } | { kind: 'journal-synced' } | { kind: 'send'; text: string };

/** The run's journal writes, completed journal syncs and other writes (the server's socket), in order. */
function callsOf(trace: string, journalDir: string): Call[] {
  const calls: Call[] = [];
  const journalFds = new Set<number>();
  // Files other than the journal (the parse cache's entries, which hold the SQL): writes there are not sends.
  const fileFds = new Set<number>();
  const syncing = new Map<string, number>(); // pid -> fd of an fdatasync not finished yet
  // pid -> path of an openat not finished yet: under load strace splits a call across two lines
  const opening = new Map<string, string>();
  for (const line of trace.split('\n')) {
    const m = /^(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, pid, call] = m as unknown as [string, string, string];
    const openStarted = /^openat\([^,]+, "([^"]+)".*<unfinished \.\.\.>$/.exec(call);
    if (openStarted) opening.set(pid, openStarted[1]!);
    const openResumed = /^<\.\.\. openat resumed>.*\s=\s(\d+)$/.exec(call);
    const opened = openResumed
      ? [call, opening.get(pid) ?? '', openResumed[1]!]
      : /^openat\([^,]+, "([^"]+)".*\s=\s(\d+)$/.exec(call);
    const closed = /^close\((\d+)\)/.exec(call);
    const synced = /^f(?:data)?sync\((\d+)\)\s+= 0$/.exec(call);
    const unfinished = /^f(?:data)?sync\((\d+) <unfinished/.exec(call);
    const resumed = /^<\.\.\. f(?:data)?sync resumed>\)\s+= 0$/.test(call);
    const written = /^(?:write|writev|sendto|sendmsg)\((\d+), (.*)$/.exec(call);
    if (opened?.[1]?.startsWith(journalDir)) journalFds.add(Number(opened[2]));
    else if (opened) fileFds.add(Number(opened[2]));
    else if (closed) {
      journalFds.delete(Number(closed[1]));
      fileFds.delete(Number(closed[1]));
    } else if (synced && journalFds.has(Number(synced[1]))) calls.push({ kind: 'journal-synced' });
    else if (unfinished) syncing.set(pid, Number(unfinished[1]));
    else if (resumed && journalFds.has(syncing.get(pid) ?? -1)) calls.push({ kind: 'journal-synced' });
    else if (written) {
      const fd = Number(written[1]);
      const text = written[2] ?? '';
      if (journalFds.has(fd)) calls.push({ kind: 'journal-write', text: text.replace(/\\"/g, '"') });
      else if (fd > 2 && !fileFds.has(fd)) calls.push({ kind: 'send', text }); // not stdout/stderr, nor a file
    }
  }
  return calls;
}

const skip = lacks(
  'strace',
  straceProblem(),
  'apt-get install strace, and in a container allow ptrace (docker run --cap-add SYS_PTRACE)',
);

describe.skipIf(skip)('the journal is synced before the work it announces (system calls of a real run)', () => {
  it("the run line, and a non-atomic migration's start, reach the disk before the server sees their SQL; the last line is synced", async () => {
    const db = await freshDatabase('jsync');
    const j = journalFolder('cm-jsync-');
    const trace = path.join(mkdtempSync(path.join(os.tmpdir(), 'cm-strace-')), 'trace');
    const dir = makeMigrations({
      '1_atomic': 'CREATE TABLE first_one (id int);',
      '2_concurrent': 'CREATE TABLE second_one (id int);\nCREATE INDEX CONCURRENTLY second_idx ON second_one (id);',
      '3_atomic': 'CREATE TABLE third_one (id int);',
    });
    try {
      const r = await execa(
        'strace',
        [
          '-f',
          '-qq',
          '-s',
          '65536',
          '-e',
          'trace=openat,close,write,writev,sendto,sendmsg,fdatasync,fsync',
          '-o',
          trace,
          'node',
          BIN,
          'run',
          '--yes',
          '--database-url',
          db.url,
          '--migrations',
          dir,
        ],
        {
          reject: false,
          stdin: 'ignore',
          env: { ...CLI_ENV, ...j.env },
        },
      );
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const calls = callsOf(readFileSync(trace, 'utf8'), j.dir);
      const find = (from: number, ok: (c: Call) => boolean) => calls.findIndex((c, i) => i >= from && ok(c));
      const written =
        (...parts: string[]) =>
        (c: Call) =>
          c.kind === 'journal-write' && parts.every((p) => c.text.includes(p));
      const sent = (sql: string) => (c: Call) => c.kind === 'send' && c.text.includes(sql);
      const synced = (c: Call) => c.kind === 'journal-synced';

      // 1. The run's line, naming every migration it will apply, is synced before the first statement goes out.
      const runLine = find(
        0,
        written('"action":"run"', '"phase":"begin"', '"pending":["1_atomic","2_concurrent","3_atomic"]'),
      );
      const firstSql = find(0, sent('CREATE TABLE first_one'));
      expect(runLine).toBeGreaterThan(-1);
      expect(firstSql).toBeGreaterThan(-1);
      const runSynced = find(runLine, synced);
      expect(runSynced, 'the run line is synced').toBeGreaterThan(runLine);
      expect(runSynced, 'the run line is synced before the first statement is sent').toBeLessThan(firstSql);

      // 2. A non-atomic migration's start is synced before its bookkeeping row or first statement is sent;
      //    that sync also covers the line that ended the atomic migration before it.
      const firstEnded = find(0, written('"action":"migration"', '"phase":"end"', '"name":"1_atomic"'));
      const secondBegun = find(0, written('"action":"migration"', '"phase":"begin"', '"name":"2_concurrent"'));
      const secondSent = Math.min(
        ...['2_concurrent', 'CREATE TABLE second_one'].map((s) => find(0, sent(s))).filter((i) => i >= 0),
      );
      expect(firstEnded).toBeGreaterThan(-1);
      expect(secondBegun).toBeGreaterThan(firstEnded - 1);
      const secondSynced = find(secondBegun, synced);
      expect(secondSynced, 'the non-atomic start is synced').toBeGreaterThan(secondBegun);
      expect(secondSynced, 'the non-atomic start is synced before its work is sent').toBeLessThan(secondSent);

      // 3. Nothing written is left unsynced when the process ends: the last journal write is followed by a sync.
      const lastWrite = calls.map((c) => c.kind).lastIndexOf('journal-write');
      expect(calls[lastWrite]).toMatchObject({ kind: 'journal-write' });
      expect((calls[lastWrite] as { text: string }).text).toContain('"action":"run"');
      expect(find(lastWrite, synced), 'the closing line is synced').toBeGreaterThan(lastWrite);
    } finally {
      await db.drop();
    }
  });
});
