import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync, symlinkSync, createWriteStream } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json, type CliResult } from '../helpers/cli.js';
import { expectPrismaAgrees } from '../helpers/oracle.js';

/** Hostile and broken migrations folders: each is handled, or refused with one sentence (exit 2), never a crash. */
const journal = mkdtempSync(path.join(os.tmpdir(), 'cm-hostile-journal-'));
const env = { CITADEL_JOURNAL_DIR: journal };
let db: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  db = await freshDatabase('hostile');
});
afterAll(async () => {
  await db?.drop();
});

const status = (dir: string) => cli(['status', '--json', '--database-url', db.url, '--migrations', dir], { env });
const run = (url: string, dir: string) =>
  cli(['run', '--yes', '--json', '--database-url', url, '--migrations', dir], { env, timeout: 60_000 });

function expectOneSentence(r: CliResult, code: number, message: RegExp) {
  expect(r.exitCode, r.stderr).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |Unexpected error/);
}

describe('migration folder names', () => {
  it('applies migrations named with spaces, quotes and "..", and an empty migration.sql as Prisma does', async () => {
    const spec = {
      '1 with space': 'CREATE TABLE "spaced" (id int);',
      "2_it's": 'CREATE TABLE "quoted" (id int);',
      '3_"double"': 'CREATE TABLE "dq" (id int);',
      '4_a..b': 'CREATE TABLE "dots" (id int);',
      '5_empty': '',
      '6_only_comments': '-- nothing to do here\n/* really */\n',
    };
    const dir = makeMigrations(spec);
    const r = await run(db.url, dir);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = json(r);
    expect(doc.migrations.map((m: any) => [m.name, m.outcome, m.statements])).toEqual([
      ['1 with space', 'applied', 1],
      ["2_it's", 'applied', 1],
      ['3_"double"', 'applied', 1],
      ['4_a..b', 'applied', 1],
      ['5_empty', 'applied', 0],
      ['6_only_comments', 'applied', 0],
    ]);
    expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(Array(6).fill('applied'));

    // Prisma applies an empty script as one successful step, with the sha256 of no bytes as its checksum
    // (its status above is the check).
    const [empty] = await query<{ checksum: string; done: boolean; applied_steps_count: number }>(
      db.url,
      `SELECT checksum, finished_at IS NOT NULL AND rolled_back_at IS NULL AS done, applied_steps_count FROM _prisma_migrations WHERE migration_name = '5_empty'`,
    );
    expect(empty).toEqual({
      checksum: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      done: true,
      applied_steps_count: 1,
    });
  });

  it('refuses a symbolic link named x that points at ".."', async () => {
    const dir = makeMigrations({ '1_a': 'SELECT 1;' });
    symlinkSync('..', path.join(dir, 'x'));
    expectOneSentence(
      await status(dir),
      2,
      /The migration "x" is a symbolic link to .*, outside the migrations folder: copy the migration into/,
    );
  });

  it('refuses a migration folder linked from outside the migrations folder', async () => {
    const outside = makeMigrations({ elsewhere: 'DROP TABLE "spaced";' });
    const dir = makeMigrations({ '1_a': 'SELECT 1;' });
    symlinkSync(path.join(outside, 'elsewhere'), path.join(dir, '2_linked'));
    expectOneSentence(
      await status(dir),
      2,
      /"2_linked" is a symbolic link to .*elsewhere, outside the migrations folder/,
    );
  });

  it('refuses a migration.sql linked to a file outside the folder', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'cm-outside-'));
    writeFileSync(path.join(outside, 'evil.sql'), 'DROP TABLE "spaced";');
    const dir = makeMigrations({ '1_a': 'SELECT 1;' });
    mkdirSync(path.join(dir, '2_b'));
    symlinkSync(path.join(outside, 'evil.sql'), path.join(dir, '2_b', 'migration.sql'));
    expectOneSentence(
      await status(dir),
      2,
      /The migration.sql of "2_b" is a link to .*evil\.sql, outside the migrations folder/,
    );
  });

  it('refuses a folder name that is not UTF-8', async () => {
    const dir = makeMigrations({ '1_a': 'SELECT 1;' });
    const bad = Buffer.concat([Buffer.from(`${dir}/2_caf`), Buffer.from([0xe9, 0xff]), Buffer.from('_x')]);
    mkdirSync(bad);
    writeFileSync(Buffer.concat([bad, Buffer.from('/migration.sql')]), 'SELECT 1;');
    expectOneSentence(await status(dir), 2, /is not valid UTF-8 text or has control characters: rename the folder/);
  });

  it('refuses a folder name with a newline in it', async () => {
    const dir = makeMigrations({ '1_a': 'SELECT 1;', '2_two\nlines': 'SELECT 1;' });
    expectOneSentence(await status(dir), 2, /has control characters: rename the folder/);
  });

  it('refuses a folder without migration.sql, and a migration.sql that is a pipe (without waiting on it)', async () => {
    const dir = makeMigrations({ '1_a': 'SELECT 1;' });
    mkdirSync(path.join(dir, '2_no_script'));
    expectOneSentence(await status(dir), 2, /"2_no_script" has no migration.sql: add the script/);
    const fifo = makeMigrations({ '1_a': 'SELECT 1;' });
    mkdirSync(path.join(fifo, '2_pipe'));
    execFileSync('mkfifo', [path.join(fifo, '2_pipe', 'migration.sql')]);
    expectOneSentence(await status(fifo), 2, /The migration.sql of "2_pipe" is not a regular file/);
  });

  it('refuses two migrations whose names differ only in letter case', async () => {
    const dir = makeMigrations({ '1_Add_Users': 'SELECT 1;', '1_add_users': 'SELECT 2;' });
    expectOneSentence(await status(dir), 2, /"1_Add_Users" and "1_add_users" differ only in letter case/);
  });
});

describe('very large migrations', () => {
  /** About `mb` MB of INSERT statements, or one INSERT with that many bytes of VALUES rows. */
  async function bigScript(file: string, mb: number, oneStatement: boolean) {
    const out = createWriteStream(file);
    const target = mb * 1024 * 1024;
    let size = 0;
    if (oneStatement) out.write('INSERT INTO "bulk" (id, name) VALUES\n');
    for (let i = 0; size < target; i++) {
      const row = oneStatement
        ? `${i ? ',' : ' '}(${i}, 'row ${i}; with a ''quote'' and $$ to pad it')\n`
        : `INSERT INTO "bulk" (id, name) VALUES (${i}, 'row ${i}; padding $$ text');\n`;
      size += row.length;
      if (!out.write(row)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    if (oneStatement) out.write(';\n');
    await new Promise<void>((r, j) => out.end(() => r()).once('error', j));
  }

  it('refuses a 50 MB migration before applying anything, in one sentence, while status still works', async () => {
    const d = await freshDatabase('big');
    try {
      const dir = makeMigrations({ '1_table': 'CREATE TABLE "bulk" (id int PRIMARY KEY, name text);', '2_data': '' });
      await bigScript(path.join(dir, '2_data', 'migration.sql'), 50, false);
      const t0 = Date.now();
      const r = await run(d.url, dir);
      expectOneSentence(
        r,
        2,
        /2_data\/migration.sql, line 1: the script is 50\.0 MB, more than the 16 MB this tool parses and runs statement by statement: load bulk data with psql/,
      );
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(await query(d.url, `SELECT 1 FROM pg_class WHERE relname = 'bulk'`)).toHaveLength(0);
      const s = await cli(['status', '--json', '--database-url', d.url, '--migrations', dir], { env });
      expect(s.exitCode, s.stderr).toBe(1); // pending, as prisma migrate status
      expect(json(s).migrations.map((m: any) => m.state)).toEqual(['pending', 'pending']);
    } finally {
      await d.drop();
    }
  });

  it('applies an 8 MB single INSERT of 120 000 rows', async () => {
    const d = await freshDatabase('big8');
    try {
      const dir = makeMigrations({ '1_table': 'CREATE TABLE "bulk" (id int PRIMARY KEY, name text);', '2_data': '' });
      await bigScript(path.join(dir, '2_data', 'migration.sql'), 8, true);
      const r = await run(d.url, dir);
      expect(r.exitCode, r.stderr).toBe(0);
      const [row] = await query<{ n: number }>(d.url, `SELECT count(*)::int AS n FROM "bulk"`);
      expect(row!.n).toBeGreaterThan(100_000);
    } finally {
      await d.drop();
    }
  });
});
