import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { expectPrismaAgrees, ourStatus } from '../helpers/oracle.js';
import { waitUntil } from '../helpers/wait.js';

/** Prisma's history cannot be changed behind the tool's back, and the folder is read as Prisma reads it. */
const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-history-guard-journal-')) };
const run = (url: string, dir: string, extra: string[] = []) =>
  cli(['run', '--yes', '--database-url', url, '--migrations', dir, ...extra], { env });
const history = (url: string) =>
  query<{ migration_name: string; done: boolean }>(
    url,
    `SELECT migration_name, finished_at IS NOT NULL AS done FROM _prisma_migrations ORDER BY started_at, migration_name`,
  );

describe('a migration that changes _prisma_migrations', () => {
  it('DELETE FROM _prisma_migrations in an atomic migration: rolled back, failed in one sentence, the history intact', async () => {
    const db = await freshDatabase('histdel');
    const dir = makeMigrations({
      '1_a': 'CREATE TABLE a (id int);',
      '2_b': 'CREATE TABLE b (id int);',
      '3_wipe': 'CREATE TABLE c (id int);\nDELETE FROM _prisma_migrations;',
    });
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).not.toMatch(/3 applied|✓ 3_wipe/);
      expect(r.stderr).toMatch(
        /✗ 3_wipe {2}failed: 3_wipe deleted or changed rows of Prisma's history table _prisma_migrations, so it was rolled back and the run stopped/,
      );
      expect((await history(db.url)).map((h) => [h.migration_name, h.done])).toEqual([
        ['1_a', true],
        ['2_b', true],
        ['3_wipe', false],
      ]);
      expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 'c'`)).toEqual([]);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied', 'applied', 'failed']);
    } finally {
      await db.drop();
    }
  });

  it("a non-atomic migration that deletes another migration's row: failed, saying the rows stay deleted", async () => {
    const db = await freshDatabase('histdel2');
    const dir = makeMigrations({
      '1_a': 'CREATE TABLE a (id int);',
      '2_forget': `DELETE FROM _prisma_migrations WHERE migration_name = '1_a';\nCREATE INDEX CONCURRENTLY a_id ON a (id);`,
    });
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).not.toMatch(/✓ 2_forget/);
      expect(r.stderr).toMatch(
        /✗ 2_forget {2}failed: 2_forget deleted or changed rows of Prisma's history table _prisma_migrations \(2 rows expected, 1 found\); it is not atomic, so that stays/,
      );
      expect((await history(db.url)).map((h) => [h.migration_name, h.done])).toEqual([['2_forget', false]]);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['pending', 'failed']);
    } finally {
      await db.drop();
    }
  });

  it('a non-atomic migration that deletes its own row: still recorded failed, not applied', async () => {
    const db = await freshDatabase('histdel3');
    const dir = makeMigrations({
      '1_self': 'CREATE TABLE a (id int);\nDELETE FROM _prisma_migrations;\nCREATE INDEX CONCURRENTLY a_id ON a (id);',
    });
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/✗ 1_self {2}failed: 1_self deleted or changed rows of Prisma's history table/);
      expect((await history(db.url)).map((h) => [h.migration_name, h.done])).toEqual([['1_self', false]]);
    } finally {
      await db.drop();
    }
  });
});

describe('folder names as Prisma reads them', () => {
  it("folders starting with a dot are migrations, and the order is Prisma's (localeCompare), for status and run", async () => {
    const db = await freshDatabase('dots');
    const dir = makeMigrations({
      '20250101_a': 'CREATE TABLE t1 (id int);',
      '..20250105_dots': 'CREATE TABLE t2 (id int);',
      '20250102_B': 'CREATE TABLE t3 (id int);',
      '20250102_a': 'CREATE TABLE t4 (id int);',
      '2025_x': 'CREATE TABLE t5 (id int);',
      '20250_x': 'CREATE TABLE t6 (id int);',
    });
    const order = ['..20250105_dots', '2025_x', '20250_x', '20250101_a', '20250102_a', '20250102_B'];
    try {
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.name)).toEqual(order);
      const r = await cli(
        ['run', '--yes', '--json', '--to', '20250101_a', '--database-url', db.url, '--migrations', dir],
        { env },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      expect(json(r).migrations.map((m: { name: string }) => m.name)).toEqual(order.slice(0, 4));
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual([
        'applied',
        'applied',
        'applied',
        'applied',
        'pending',
        'pending',
      ]);
    } finally {
      await db.drop();
    }
  });
});

describe('a rollback whose down.sql is not atomic', () => {
  it('cut off mid-way (its session terminated, as by a restart): status says down.sql did not finish', async () => {
    const db = await freshDatabase('downcut');
    const dir = makeMigrations({
      '1_idx': {
        up: 'CREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_id ON t (id);',
        down: 'DROP INDEX CONCURRENTLY t_id;\nSELECT pg_sleep(30);\nDROP TABLE t;',
      },
    });
    try {
      expect((await run(db.url, dir)).exitCode).toBe(0);
      const rollback = cli(['rollback', '1_idx', '--yes', '--database-url', db.url, '--migrations', dir], { env });
      const pid = await waitUntil('down.sql to reach its pg_sleep', async () => {
        const rows = await query<{ pid: number }>(
          db.url,
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(30)%' AND state = 'active'`,
        );
        return rows[0]?.pid;
      });
      await query(db.url, `SELECT pg_terminate_backend($1)`, [pid]);
      const r = await rollback;
      expect(r.exitCode, r.stderr).not.toBe(0);
      expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 't_id'`)).toEqual([]);
      const s = await cli(['status', '--database-url', db.url, '--migrations', dir], { env });
      expect(s.stdout).toMatch(
        /1_idx: a rollback began running down.sql at .* UTC and did not finish; down.sql is not atomic, so what it did before it stopped remains: inspect, then run `rollback 1_idx` again or redo by hand what it undid/,
      );
      const [st] = await ourStatus(db.url, dir, env);
      expect(st).toMatchObject({ name: '1_idx', state: 'applied' });
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied']);
    } finally {
      await db.drop();
    }
  });
});
