import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli } from '../helpers/cli.js';

/** A NUL byte or invalid UTF-8 anywhere in a script refuses it, naming the file and the byte, before anything runs. */
const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-script-bytes-journal-')) };
const args = (url: string, dir: string) => ['--database-url', url, '--migrations', dir];
const tables = async (url: string) =>
  (
    await query<{ t: string }>(
      url,
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
    )
  ).map((r) => r.t);

function expectOneSentence(r: { exitCode: number; stderr: string }, message: RegExp) {
  expect(r.exitCode, r.stderr).toBe(2);
  expect(r.stderr.trim()).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

describe('the bytes of a script', () => {
  it('a NUL byte before the second statement: run refuses the file with its byte offset, nothing applied', async () => {
    const db = await freshDatabase('nul');
    const dir = makeMigrations({ '1_ok': 'CREATE TABLE ok (id int);', '2_nul': 'SELECT 1;' });
    writeFileSync(
      path.join(dir, '2_nul', 'migration.sql'),
      Buffer.concat([
        Buffer.from('CREATE TABLE a (id int);\n'),
        Buffer.from([0]),
        Buffer.from('CREATE TABLE b (id int);\n'),
      ]),
    );
    try {
      const r = await cli(['run', '--yes', ...args(db.url, dir)], { env });
      expectOneSentence(r, /^2_nul\/migration.sql has a NUL byte at byte offset 25, /);
      expect(await tables(db.url)).toEqual([]);
      const p = await cli(['plan', ...args(db.url, dir)], { env });
      expectOneSentence(p, /^2_nul\/migration.sql has a NUL byte at byte offset 25, /);
    } finally {
      await db.drop();
    }
  });

  it('invalid UTF-8 beside a real U+FFFD: refused with the offset of the bad byte', async () => {
    const db = await freshDatabase('badutf');
    const dir = makeMigrations({ '1_bad': 'SELECT 1;' });
    // "caf" + 0xE9 (Latin-1 é, invalid here) in one literal, a real U+FFFD in another
    const bytes = Buffer.concat([
      Buffer.from("CREATE TABLE t (v text);\nINSERT INTO t VALUES ('\uFFFD');\nINSERT INTO t VALUES ('caf"),
      Buffer.from([0xe9]),
      Buffer.from("');\n"),
    ]);
    writeFileSync(path.join(dir, '1_bad', 'migration.sql'), bytes);
    try {
      const r = await cli(['run', '--yes', ...args(db.url, dir)], { env });
      expectOneSentence(
        r,
        new RegExp(`1_bad/migration.sql is not valid UTF-8 at byte offset ${bytes.indexOf(0xe9)}: save it as UTF-8`),
      );
      expect(await tables(db.url)).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it('down.sql with a NUL byte or invalid UTF-8: rollback refuses it before running anything', async () => {
    const db = await freshDatabase('downbytes');
    const dir = makeMigrations({ '1_t': { up: 'CREATE TABLE t (id int);\nCREATE TABLE u (id int);', down: 'x' } });
    try {
      expect((await cli(['run', '--yes', ...args(db.url, dir)], { env })).exitCode).toBe(0);
      writeFileSync(
        path.join(dir, '1_t', 'down.sql'),
        Buffer.concat([Buffer.from('DROP TABLE u;\n'), Buffer.from([0]), Buffer.from('DROP TABLE t;\n')]),
      );
      const r = await cli(['rollback', '1_t', '--yes', ...args(db.url, dir)], { env });
      expectOneSentence(r, /^1_t\/down.sql has a NUL byte at byte offset 14, /);
      writeFileSync(
        path.join(dir, '1_t', 'down.sql'),
        Buffer.concat([Buffer.from('DROP TABLE u;\n-- caf'), Buffer.from([0xc3]), Buffer.from('\nDROP TABLE t;\n')]),
      );
      const r2 = await cli(['rollback', '1_t', '--yes', ...args(db.url, dir)], { env });
      expectOneSentence(r2, /^1_t\/down.sql is not valid UTF-8 at byte offset 20: save it as UTF-8/);
      expect(await tables(db.url)).toEqual(['t', 'u']);
    } finally {
      await db.drop();
    }
  });
});
