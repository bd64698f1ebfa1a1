// verify --performance and verify --log-slow on the real server: the run's new indexes found from the
// journal, compared with figures taken before the run; slow-query logging set, restored, expired, refused.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminUrl, freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';
import { parseTarget } from '../../src/postgres/target.js';
import { Journal } from '../../src/journal/journal.js';
import { restoreExpiredSlowLog } from '../../src/safety/queryLogging.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));
const setting = async (url: string) =>
  (await query<{ v: string }>(url, "SELECT current_setting('log_min_duration_statement') AS v"))[0]!.v;

describe('verify --performance', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase('perf');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reports the largest tables against the figures from before the run, and the use of the indexes the run created', async () => {
    const journalDir = tmp('cm-pj-');
    const dir = makeMigrations({
      '001_items': `CREATE TABLE items (id int PRIMARY KEY, name text);\nINSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 2000) g;`,
    });
    const base = ['--database-url', db.url, '--migrations', dir, '--journal-dir', journalDir];
    expect((await cli(['run', '--yes', ...base])).exitCode).toBe(0);
    const before = await cli(['verify', '--performance', '--json', ...base]);
    expect(before.exitCode, before.stderr).toBe(0);
    expect(json(before).before).toBeUndefined();

    // The next migration adds rows and two indexes; one of them ends up invalid, as a failed concurrent build leaves it.
    mkdirSync(path.join(dir, '002_indexes'));
    writeFileSync(
      path.join(dir, '002_indexes', 'migration.sql'),
      `INSERT INTO items SELECT g, 'item ' || g FROM generate_series(2001, 6000) g;\nCREATE INDEX "items_name_idx" ON items (name);\nCREATE UNIQUE INDEX items_upper_idx ON items (upper(name));`,
    );
    expect((await cli(['run', '--yes', ...base])).exitCode).toBe(0);
    await query(db.url, `UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'items_upper_idx'::regclass`);
    await query(db.url, `SET enable_seqscan = off; SELECT * FROM items WHERE name = 'item 7'`);
    await waitUntil(
      'the index scan counted',
      async () =>
        Number(
          (
            await query<{ n: string }>(
              db.url,
              `SELECT idx_scan AS n FROM pg_stat_user_indexes WHERE indexrelname = 'items_name_idx'`,
            )
          )[0]?.n,
        ) > 0,
      5000,
    );

    const r = await cli(['verify', '--performance', '--json', ...base]);
    expect(r.exitCode).toBe(1); // an invalid index fails the validation
    const doc = json(r);
    expect(doc.before).toBe(json(before).before ?? doc.before);
    expect(typeof doc.before).toBe('string');
    const items = doc.tables.find((t: any) => t.table === 'items');
    expect(items.beforeBytes).toBeLessThan(items.totalBytes);
    expect(doc.indexSource).toBe('journal');
    expect(doc.indexes.map((i: any) => [i.index, i.valid, i.scans > 0])).toEqual([
      ['items_name_idx', true, true],
      ['items_upper_idx', false, false],
    ]);
    expect(doc.invalid).toEqual(['items_upper_idx']);
    expect(doc.statements).toEqual({
      available: false,
      reason: expect.stringMatching(/^pg_stat_statements is not installed in this database/),
    });

    const text = await cli(['verify', '--performance', ...base]);
    expect(text.stdout).toMatch(/Largest tables \(compared with \d{4}-.*, before the run\):/);
    expect(text.stdout).toMatch(/public\.items +\d.* +~6000 rows +\+\d/);
    expect(text.stdout).toMatch(/✓ items_name_idx +items +[1-9]\d* scans/);
    expect(text.stdout).toMatch(/✗ items_upper_idx +items +INVALID: drop it and create it again/);
    expect(text.stdout).toContain('Slowest statements: pg_stat_statements is not installed');

    // The post-migration task is proven by what verify --performance journalled after the run.
    const runbook = new URL('../../migrations/runbook.yaml', import.meta.url).pathname;
    const c = await cli(['check', '--json', '--runbook', runbook, '--backup-dir', tmp('cm-pb-'), ...base]);
    const item = json(c).items.find((i: any) => i.id === 'post.performance');
    expect(item).toMatchObject({
      status: 'fail',
      evidence: expect.stringMatching(
        /^invalid new index\(es\) at \d{4}-.*: items_upper_idx; drop and build them again$/,
      ),
    });
  });
});

describe('verify --log-slow', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase('slowlog');
    await query(adminUrl(), `DROP ROLE IF EXISTS slowlog_owner`).catch(() => undefined);
    await query(adminUrl(), `CREATE ROLE slowlog_owner LOGIN PASSWORD 'owner-pw' NOSUPERUSER`);
  });
  afterAll(async () => {
    await query(adminUrl(), 'ALTER SYSTEM RESET log_min_duration_statement');
    await query(adminUrl(), 'SELECT pg_reload_conf()');
    await db.drop();
    await query(adminUrl(), `DROP ROLE IF EXISTS slowlog_owner`).catch(() => undefined);
  });

  it('sets log_min_duration_statement for a period, journals the previous value, restores it on off and when the period ends', async () => {
    const journalDir = tmp('cm-sj-');
    const base = ['--database-url', db.url, '--journal-dir', journalDir];
    const was = await setting(db.url);
    const on = await cli(['verify', '--log-slow', '1s', '--for', '24h', ...base]);
    expect(on.exitCode, on.stderr).toBe(0);
    expect(on.stdout).toMatch(
      new RegExp(
        `✓ statements slower than 1s are logged \\(log_min_duration_statement, was ${was}\\); restored after \\d{4}-`,
      ),
    );
    await waitUntil('the new setting', async () => (await setting(db.url)) === '1s', 5000);
    const off = await cli(['verify', '--log-slow', 'off', ...base]);
    expect(off.stdout).toContain('✓ log_min_duration_statement restored to');
    await waitUntil('the old setting back', async () => (await setting(db.url)) === was, 5000);

    // A period that has ended is restored at the next console start.
    const journal = new Journal(path.join(journalDir, 'expiry.jsonl'), 'x');
    expect(
      (await cli(['verify', '--log-slow', '2s', '--for', '1ms', '--database-url', db.url, '--journal-dir', journalDir]))
        .exitCode,
    ).toBe(0);
    await waitUntil('2s in force', async () => (await setting(db.url)) === '2s', 5000);
    const file = (await import('node:fs'))
      .readdirSync(journalDir)
      .find((f) => f.endsWith('.jsonl') && f !== 'expiry.jsonl')!;
    const said = await restoreExpiredSlowLog(parseTarget(db.url), new Journal(path.join(journalDir, file), 'x'));
    expect(said).toMatch(/^Slow-query logging \(2s\) ended at \d{4}-.*: log_min_duration_statement restored to/);
    await waitUntil('the old setting back again', async () => (await setting(db.url)) === was, 5000);
    journal.close();
  });

  it('is refused clearly without the privilege', async () => {
    const url = db.url.replace(/\/\/postgres:[^@]*@/, '//slowlog_owner:owner-pw@');
    const r = await cli(['verify', '--log-slow', '1s', '--database-url', url, '--journal-dir', tmp('cm-sj-')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      'The role slowlog_owner may not change server settings: ALTER SYSTEM needs a superuser or GRANT ALTER SYSTEM ON PARAMETER log_min_duration_statement TO slowlog_owner',
    );
  });
});
