import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';

// plan's findings in the order of what the application will feel on this target.
let db: Awaited<ReturnType<typeof freshDatabase>>;
let dir: string;
let journalDir: string;
beforeAll(async () => {
  db = await freshDatabase('rank');
  journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-rank-journal-'));
  await query(
    db.url,
    `
    CREATE TYPE "Role" AS ENUM ('USER');
    CREATE TABLE orders (id bigint PRIMARY KEY, note text, created timestamptz);
    INSERT INTO orders SELECT g, 'n' || g, now() FROM generate_series(1, 20000) g;
    ANALYZE orders;
    CREATE TABLE logs (id bigint PRIMARY KEY, line text) WITH (autovacuum_enabled = false);
    INSERT INTO logs SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g;`,
  );
  dir = makeMigrations({
    '001_role_a': `ALTER TYPE "Role" ADD VALUE 'A';`,
    '002_role_b': `ALTER TYPE "Role" ADD VALUE 'B';`,
    '003_logs': 'ALTER TABLE logs ADD COLUMN level int;\nCREATE INDEX "logs_level_idx" ON logs (level);',
    '004_role_c': `ALTER TYPE "Role" ADD VALUE 'C';`,
    '005_orders_index': 'CREATE INDEX CONCURRENTLY "orders_created_idx" ON orders (created);',
    '006_orders_retype': 'ALTER TABLE orders ALTER COLUMN id TYPE numeric;',
  });
});
afterAll(async () => {
  await db?.drop();
});

describe('plan ranking', () => {
  it('puts the ACCESS EXCLUSIVE rewrite of the large table first and notes last, grouped', async () => {
    const r = await cli(['plan', '--json', '--database-url', db.url, '--migrations', dir, '--journal-dir', journalDir]);
    const out = json(r);
    expect(out.findings[0]).toMatchObject({
      migration: '006_orders_retype',
      rule: 'table-rewrite',
      severity: 'warning',
      relation: 'orders',
    });
    const sev = out.findings.map((f: any) => ['error', 'warning', 'info'].indexOf(f.severity));
    expect(sev).toEqual([...sev].sort());
    expect(out.noteGroups).toEqual([
      expect.objectContaining({
        rule: 'require-enum-value-ordering',
        count: 3,
        migrations: ['001_role_a', '002_role_b', '004_role_c'],
      }),
    ]);

    const human = await cli(['plan', '--database-url', db.url, '--migrations', dir, '--journal-dir', journalDir]);
    expect(human.stdout).toMatch(
      /Most dangerous on this target first:\n {2}1\. ! 006_orders_retype line 1 \[table-rewrite\]/,
    );
    expect(human.stdout.match(/require-enum-value-ordering/g)).toHaveLength(1);
    expect(human.stdout).toContain('[require-enum-value-ordering] in 3 migrations');
  });

  it('does not tell to name an index that has a name, and sizes a never-analyzed table by its size', async () => {
    const out = json(
      await cli(['plan', '--json', '--database-url', db.url, '--migrations', dir, '--journal-dir', journalDir]),
    );
    const onIndex = out.findings.filter((f: any) => f.migration === '005_orders_index');
    expect(onIndex.length).toBeGreaterThan(0);
    for (const f of onIndex) expect(f.fix).not.toMatch(/explicit name/);
    const logs = out.migrations.find((m: any) => m.name === '003_logs').statements[0];
    expect(logs).toMatchObject({ relation: 'logs', estimatedRows: null });
    expect(logs.relationBytes).toBeGreaterThan(1_000_000);
  });
});
