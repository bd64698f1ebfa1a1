import { waitUntil } from '../helpers/wait.js';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { freshDatabase, query, adminUrl } from '../helpers/db.js';
import { cli, json, BIN, CLI_ENV } from '../helpers/cli.js';
import { copyBundled, makeMigrations } from '../helpers/folders.js';

let journalDir: string;
beforeAll(() => {
  journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-rehearse-journal-'));
});

/** Everything a write to the target could change: relations and their files, types, history rows. */
async function catalogSnapshot(url: string): Promise<string> {
  const rel = await query(
    url,
    `SELECT n.nspname, c.relname, c.relkind, c.relfilenode FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2`,
  );
  const types = await query(
    url,
    `SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' ORDER BY 1`,
  );
  const hist = await query(url, `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`);
  const rows = hist[0]!.present
    ? await query(
        url,
        `SELECT id, checksum, finished_at, migration_name, rolled_back_at FROM "_prisma_migrations" ORDER BY id`,
      )
    : [];
  return JSON.stringify({ rel, types, rows });
}

// Scratch copies of this file's targets only (reh_, rehh_, rehi_): other test files run beside it
// on the same server.
const rehearsalDatabases = async () =>
  (
    await query(
      adminUrl(),
      `SELECT datname FROM pg_database WHERE datname ~ '^citadel_scratch_rehearse_[0-9a-f]{8}_reh[hi]?_[0-9a-f]{10}$'`,
    )
  ).map((r) => r.datname);

describe('rehearse', () => {
  let target: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    target = await freshDatabase('reh');
  });
  afterAll(async () => {
    await target?.drop();
  });

  it('with --keep-going reports every failure of the bundled runbook with its line and hint, and leaves the target untouched', async () => {
    const before = await catalogSnapshot(target.url);
    const r = await cli([
      'rehearse',
      '--keep-going',
      '--json',
      '--database-url',
      target.url,
      '--migrations',
      copyBundled(),
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode).toBe(1);
    const out = json(r);
    expect(out.mode).toBe('rehearsal');
    const failed = out.migrations.filter((m: any) => m.outcome === 'failed');
    expect(failed.map((m: any) => [m.name, m.error.code, m.error.position])).toEqual([
      ['20251202_add_owner_relation_and_role_permissions', '42P01', 18],
      ['add_performance_indexes', '42P01', 375],
      ['add_privacy_consent', '42P01', 8],
    ]);
    expect(failed[0].error.hint).toContain('organization_module');
    expect(failed[2].error.hint).toContain('"users"');
    expect(out.migrations.filter((m: any) => m.outcome === 'applied')).toHaveLength(4);
    const step2 = out.migrations.find((m: any) => m.name === '20251118154530_sync_schema_phase30');
    expect(step2.locks[0]).toMatchObject({ mode: 'ACCESS EXCLUSIVE' });
    expect(step2.estimate).toEqual({ minMinutes: 10, maxMinutes: 15 });
    expect(await catalogSnapshot(target.url)).toBe(before);
  });

  it('stops at the first failure without --keep-going', async () => {
    const out = json(
      await cli([
        'rehearse',
        '--json',
        '--scratch',
        'server',
        '--database-url',
        target.url,
        '--migrations',
        copyBundled(),
        '--journal-dir',
        journalDir,
      ]),
    );
    expect(out.migrations.map((m: any) => m.outcome)).toEqual([
      'applied',
      'applied',
      'applied',
      'failed',
      'not-run',
      'not-run',
      'not-run',
    ]);
  });

  it("after plan's fixes the bundled seven apply cleanly, on a scratch database of the server that is then dropped", async () => {
    const dir = copyBundled();
    expect(
      (
        await cli([
          'plan',
          '--apply-fixes',
          '--yes',
          '--database-url',
          target.url,
          '--migrations',
          dir,
          '--journal-dir',
          journalDir,
        ])
      ).exitCode,
    ).toBe(0);
    const before = await catalogSnapshot(target.url);
    const r = await cli([
      'rehearse',
      '--scratch',
      'server',
      '--database-url',
      target.url,
      '--migrations',
      dir,
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('7 applied, 0 failed');
    expect(r.stdout).toContain('the target is untouched');
    expect(await rehearsalDatabases()).toEqual([]);
    expect(await catalogSnapshot(target.url)).toBe(before);
  });
});

describe('rehearse on a target with history', () => {
  it('applies only what is pending, records rewrites and lock holds, and the scratch database is dropped after a failure', async () => {
    const db = await freshDatabase('rehh');
    try {
      const dir = makeMigrations({
        '001_base': 'CREATE TABLE items (id int PRIMARY KEY, price int);',
        '002_retype': 'ALTER TABLE items ALTER COLUMN price TYPE bigint;',
        '003_broken': 'ALTER TABLE "Item" ADD COLUMN note text;',
      });
      // 001 is applied on the target: its table exists and its row is recorded.
      const { createHash } = await import('node:crypto');
      const sum = createHash('sha256')
        .update(readFileSync(path.join(dir, '001_base', 'migration.sql')))
        .digest('hex');
      await query(
        db.url,
        `CREATE TABLE items (id int PRIMARY KEY, price int);
        CREATE TABLE "_prisma_migrations" (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);
        INSERT INTO "_prisma_migrations" VALUES ('1', '${sum}', now(), '001_base', NULL, NULL, now(), 1);`,
      );
      const before = await catalogSnapshot(db.url);
      const r = await cli([
        'rehearse',
        '--keep-going',
        '--json',
        '--scratch',
        'server',
        '--database-url',
        db.url,
        '--migrations',
        dir,
      ]);
      const out = json(r);
      expect(out.migrations.map((m: any) => [m.name, m.outcome])).toEqual([
        ['002_retype', 'applied'],
        ['003_broken', 'failed'],
      ]);
      expect(out.migrations[0].rewrites).toEqual(['items']);
      expect(out.migrations[0].locks[0]).toMatchObject({ relation: 'items', mode: 'ACCESS EXCLUSIVE' });
      expect(out.migrations[1].error.hint).toContain('"items"');
      expect(await rehearsalDatabases()).toEqual([]);
      expect(await catalogSnapshot(db.url)).toBe(before);
    } finally {
      await db.drop();
    }
  });

  it('removes the scratch database when interrupted with Ctrl-C', async () => {
    const db = await freshDatabase('rehi');
    try {
      const dir = makeMigrations({
        '001_slow': 'SELECT pg_sleep(30);',
        '002_next': 'CREATE TABLE t (id int);',
      });
      const child = execa(
        'node',
        [BIN, 'rehearse', '--scratch', 'server', '--database-url', db.url, '--migrations', dir],
        { reject: false, env: CLI_ENV },
      );
      // wait until the scratch database exists and the slow statement runs in it
      await waitUntil(
        'the slow statement to run in the scratch database',
        async () =>
          (
            await query(
              adminUrl(),
              `SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep%' AND datname LIKE 'citadel\\_scratch\\_rehearse\\_%'`,
            )
          ).length > 0,
        20_000,
      );
      expect(await rehearsalDatabases()).toHaveLength(1);
      child.kill('SIGINT');
      const r = await child;
      expect(r.exitCode).toBe(130);
      expect(await rehearsalDatabases()).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
