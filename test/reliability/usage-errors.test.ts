import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, type CliResult } from '../helpers/cli.js';

/** Flags a script may pass empty or out of range: a usage error (exit 2) in one sentence, never "no limit" or a server error. */
const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-usage-journal-')) };
const dbs: Array<{ drop: () => Promise<void> }> = [];
afterAll(async () => {
  for (const d of dbs) await d.drop();
});
async function database(prefix: string) {
  const d = await freshDatabase(prefix);
  dbs.push(d);
  return d;
}
const dir = makeMigrations({ '1_a': 'CREATE TABLE a (id int);', '2_b': 'CREATE TABLE b (id int);' });
const applied = async (url: string) => (await query(url, `SELECT 1 FROM pg_class WHERE relname IN ('a', 'b')`)).length;

function expectUsage(r: CliResult, message: RegExp) {
  expect(r.exitCode, r.stderr).toBe(2);
  expect(r.stderr.trim()).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

describe('run --to', () => {
  it.each([[''], ['   ']])('%j is a usage error, and nothing runs', async (value) => {
    const db = await database('toempty');
    const r = await cli(['run', '--yes', '--to', value, '--database-url', db.url, '--migrations', dir], { env });
    expectUsage(r, /^--to needs the name of a migration \(got an empty value\): pass the last migration to apply, or leave --to out to apply every pending one\.$/);
    expect(await applied(db.url)).toBe(0);
  });
});
