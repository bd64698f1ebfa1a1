import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, openSync, writeSync, closeSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';

/**
 * A journal over 512 MB used to break `report`, `check`, `backup --restore` and `verify
 * --performance` ("Cannot create a string longer than 0x1fffffe8 characters", 1.1 GB of memory).
 * Here a 600 MB journal (real lines from a run and a backup, then 600 MB of per-statement lines, then
 * a real run again) is read by each in bounded memory: the peak RSS of the CLI, measured by the
 * process itself at exit, stays far below the file's size.
 */
const MAX_RSS_MB = 200;
const BIG = 600 * 1024 * 1024;

let db: Awaited<ReturnType<typeof freshDatabase>>;
const work = mkdtempSync(path.join(os.tmpdir(), 'cm-bigj-'));
const journalDir = path.join(work, 'journal');
const backups = path.join(work, 'backups');
const rssFile = path.join(work, 'rss');
const preload = path.join(work, 'rss.cjs');
const migrations = makeMigrations({
  '20250101000000_a': 'CREATE TABLE big_a (id int);\nCREATE INDEX big_a_id ON big_a (id);',
  '20250102000000_b': 'CREATE TABLE big_b (id int);',
});
const base = () => ['--migrations', migrations, '--journal-dir', journalDir, '--database-url', db.url];

/** Runs the CLI with a preload that writes its peak RSS (MB) at exit. */
async function measured(args: string[]) {
  rmSync(rssFile, { force: true });
  const r = await cli(args, { env: { NODE_OPTIONS: `--require ${preload}` }, timeout: 60_000 });
  const rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  console.log(`${args[0]}${args[1]?.startsWith('--') ? ` ${args[1]}` : ''}: peak RSS ${rssMb.toFixed(0)} MB`);
  return { ...r, rssMb };
}

beforeAll(async () => {
  db = await freshDatabase('bigj');
  (await import('node:fs')).writeFileSync(
    preload,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  const first = await cli(['run', '--yes', '--to', '20250101000000_a', ...base()]);
  expect(first.exitCode, first.stderr).toBe(0);

  // 600 MB of per-statement lines as a long run writes them (a statement with its SQL, then its end)
  const [name] = readdirSync(journalDir).filter((f) => f.endsWith('.jsonl'));
  const file = path.join(journalDir, name!);
  const line = (action: string, details: object) =>
    JSON.stringify({
      time: '2026-12-01T10:00:00.000Z',
      id: 'f',
      phase: 'event',
      who: 'dba',
      host: 'h',
      pid: 1,
      action,
      target: 't',
      details,
    });
  const sql = `UPDATE big_a SET id = id + 1 WHERE id IN (${Array.from({ length: 60 }, (_, i) => i).join(', ')})`;
  let block = '';
  for (let i = 1; i <= 200; i++) {
    block +=
      line('migration.statement', {
        at: '2026-12-01T10:00:00.000Z',
        name: 'filler',
        index: i,
        count: 200,
        line: i,
        pid: 1,
        sql,
      }) + '\n';
    block +=
      line('migration.statement-end', {
        at: '2026-12-01T10:00:00.001Z',
        name: 'filler',
        index: i,
        count: 200,
        durationMs: 1,
      }) + '\n';
  }
  const chunk = Buffer.from(block);
  const fd = openSync(file, 'a');
  for (let written = 0; written < BIG; written += chunk.length) writeSync(fd, chunk);
  closeSync(fd);
  expect(statSync(file).size).toBeGreaterThan(BIG);

  const second = await cli(['run', '--yes', ...base()]);
  expect(second.exitCode, second.stderr).toBe(0);
  // After the last run: a backup counts for the checklist only at the current migration state.
  const bk = await cli(['backup', '--json', '--backup-dir', backups, ...base()]);
  expect(bk.exitCode, bk.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await db?.drop();
});

describe('a 600 MB journal', () => {
  it('report: reads it whole, finds both runs and every line', async () => {
    const r = await measured(['report', ...base()]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /\| run \| live run: ok, applied 1 \|$/.test(l))).toHaveLength(2);
    expect(r.stdout).toMatch(/\| 20250102000000_b \| applied \| 1\/1 \|/);
    expect(r.stdout).toMatch(/line\(s\)\)/);
    expect(r.rssMb).toBeLessThan(MAX_RSS_MB);
  });

  it('check: the backup item still finds the journalled backup', async () => {
    const r = await measured(['check', '--json', '--backup-dir', backups, ...base()]);
    expect(r.stderr).not.toMatch(/Cannot create a string|Unexpected error/);
    expect([0, 1]).toContain(r.exitCode);
    const items = json(r).items as { id: string; status: string }[];
    expect(items.filter((i) => i.id.startsWith('backup.')).map((i) => [i.id, i.status])).toEqual([
      ['backup.create', 'pass'],
      ['backup.verify', 'pass'],
    ]);
    expect(r.rssMb).toBeLessThan(MAX_RSS_MB);
  });

  it('verify --performance: the index the run created comes from the journal', async () => {
    const r = await measured(['verify', '--performance', '--json', ...base()]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(json(r).indexes.map((i: { index: string }) => i.index)).toContain('big_a_id');
    expect(r.rssMb).toBeLessThan(MAX_RSS_MB);
  });

  it("backup --restore: the journal's record of the dump is found and the restore done", async () => {
    const [dump] = readdirSync(backups).filter((f) => f.endsWith('.dump'));
    // written after the backup: the restore takes it away
    await query(db.url, 'CREATE TABLE after_backup (id int)');
    const r = await measured(['backup', '--restore', path.join(backups, dump!), '--yes', '--json', ...base()]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ verified: true });
    expect(await query(db.url, `SELECT to_regclass('after_backup') AS gone, to_regclass('big_b') AS kept`)).toEqual([
      { gone: null, kept: 'big_b' },
    ]);
    expect(r.rssMb).toBeLessThan(MAX_RSS_MB);
  });
});
