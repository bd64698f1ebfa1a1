import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { openSync, writeSync, closeSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { cli } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';
import { mountTmpfs, unmountAll } from '../helpers/tmpfs.js';

/**
 * "The journal comes first" (README, "The journal"): a run whose journal cannot be written changes
 * nothing, and a journal that fails during the run stops it before its next statement, with one
 * sentence naming what was applied. Real read-only and full file systems (tmpfs, as root).
 */
const probe = mountTmpfs(4096);
const skip = typeof probe === 'string' ? undefined : probe.skip;
afterAll(unmountAll);

const A = '20250101000000_a';
const B = '20250102000000_b';
// B runs 3,000 statements of 2 ms: its per-statement lines fill a 64 kB disk within the first hundred.
const migrations = () =>
  makeMigrations({
    [A]: 'CREATE TABLE jf_a (id int);',
    [B]: `CREATE TABLE jf_b (id int);\n${Array.from({ length: 3000 }, (_, i) => `INSERT INTO jf_b SELECT ${i} FROM pg_sleep(0.002);`).join('\n')}`,
  });

let db: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  if (!skip) db = await freshDatabase('jfull');
});
afterAll(async () => db?.drop());

const run = (journalDir: string) =>
  cli(['run', '--yes', '--migrations', migrations(), '--journal-dir', journalDir, '--database-url', db.url]);

async function tables(): Promise<string[]> {
  const rows = await query<{ t: string }>(
    db.url,
    `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
  );
  return rows.map((r) => r.t);
}

function expectOneSentence(stderr: string): string {
  expect(stderr).not.toMatch(/SQLSTATE|Unexpected error|\n\s+at /);
  const last = stderr.trim().split('\n').pop()!;
  return last;
}

describe.skipIf(Boolean(skip))('a journal that cannot be written', () => {
  it('read-only folder: refused before anything runs, in one sentence (exit 2)', async () => {
    const ro = mountTmpfs(64 * 1024, { readOnly: true }) as string;
    for (const dir of [ro, path.join(ro, 'sub', 'journal')]) {
      const r = await run(dir);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(expectOneSentence(r.stderr)).toMatch(
        /^The journal .*\.jsonl cannot be created or written \(the file system is read-only\): pass --journal-dir with a folder you can write to/,
      );
      expect(r.stdout).not.toMatch(/applied/);
      expect(await tables()).toEqual([]);
    }
  });

  it('full before the run: its opening line cannot be written, nothing changes (exit 1)', async () => {
    const full = mountTmpfs(64 * 1024) as string;
    const fd = openSync(path.join(full, 'filler'), 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(4096, 1));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    const r = await run(full);
    expect(r.exitCode, r.stderr).toBe(1);
    const sentence = expectOneSentence(r.stderr);
    expect(sentence).toMatch(
      /^The journal .*\.jsonl can no longer be written \(the disk is full\), so the run stopped: no migration was applied; not applied 20250101000000_a, 20250102000000_b; make room for the journal/,
    );
    expect(r.stdout).not.toMatch(/applied/);
    // not even Prisma's table: the run's intent is on disk before anything is created
    expect(await tables()).toEqual([]);
  });

  it('fills up during a run: stops before the next statement, rolls back, says what was applied (exit 1)', async () => {
    const disk = mountTmpfs(64 * 1024) as string;
    const r = await run(disk);
    expect(r.exitCode, r.stderr).toBe(1);
    const sentence = expectOneSentence(r.stderr);
    expect(sentence).toMatch(
      new RegExp(
        `^The journal .*\\.jsonl can no longer be written \\(the disk is full\\), so the run stopped: applied ${A}; not applied ${B}; make room for the journal \\(or pass --journal-dir\\), then see \`citadel-migrate status\`\\.$`,
      ),
    );
    // B was cancelled and rolled back with its bookkeeping row: only A remains
    expect(await tables()).toEqual(['_prisma_migrations', 'jf_a']);
    const history = await query<{ migration_name: string; finished: boolean }>(
      db.url,
      `SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY 1`,
    );
    expect(history).toEqual([{ migration_name: A, finished: true }]);
    expect(readdirSync(disk).filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);
  });
});
