// `run` keeps what it made of each script (statements, steps) under the script's hash and the
// build's id, so the next command over the same files skips the parser. The cache is only a
// cache: what runs must always be the file, whatever the cache folder holds.
import { describe, expect, test, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';

const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'cm-parse-cache-'));
const prepared = path.join(cacheHome, 'citadel-migrate', 'prepared');
afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));

const SQL = 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n';

async function runOn(folder: string, setup?: string) {
  const db = await freshDatabase('pcache');
  if (setup) await query(db.url, setup);
  const r = await cli(['run', '--yes', '--json', '--migrations', folder], {
    env: { DATABASE_URL: db.url, XDG_CACHE_HOME: cacheHome },
  });
  return { db, r };
}

describe('the parse cache', () => {
  test('a script parsed once is read from the cache next time; an entry that is not the script is ignored', async () => {
    const folder = makeMigrations({ '20250101000000_two_tables': SQL });
    const first = await runOn(folder);
    expect(first.r.exitCode).toBe(0);
    expect(json(first.r).migrations[0].atomic).toBe(true);
    const [file] = readdirSync(prepared).filter((f) => f.endsWith('.json'));
    expect(file).toBeDefined();
    const entryPath = path.join(prepared, file!);
    const entry = JSON.parse(readFileSync(entryPath, 'utf8'));

    // Read from the cache: an entry that says "not atomic" for the same statements is what the run reports.
    writeFileSync(entryPath, JSON.stringify({ ...entry, atomic: false }));
    const second = await runOn(folder);
    expect(second.r.exitCode).toBe(0);
    expect(json(second.r).migrations[0].atomic).toBe(false);

    // An entry whose statement is not in the file (a tampered cache) is not used: the file runs.
    entry.statements[1].sql = 'DROP TABLE keep';
    writeFileSync(entryPath, JSON.stringify(entry));
    const third = await runOn(folder, 'CREATE TABLE keep (id int)');
    expect(third.r.exitCode).toBe(0);
    const tables = await query<{ t: string }>(
      third.db.url,
      `SELECT string_agg(relname, ',' ORDER BY relname) AS t FROM pg_class WHERE relname IN ('a', 'b', 'keep')`,
    );
    expect(tables[0]!.t).toBe('a,b,keep');
    for (const { db } of [first, second, third]) await db.drop();
  });
});
