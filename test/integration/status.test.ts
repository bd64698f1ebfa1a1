import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations, copyBundled } from '../helpers/folders.js';
import { prisma, prismaStatus } from '../helpers/prisma.js';
import { expectPrismaAgrees, ourStatus } from '../helpers/oracle.js';
import { cli } from '../helpers/cli.js';

describe('status agrees with prisma migrate status', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase('status');
  });
  afterAll(() => db.drop());

  it('on a fresh database the seven bundled migrations are pending, and the human table lists them', async () => {
    const dir = copyBundled();
    const ours = await expectPrismaAgrees(db.url, dir);
    expect(ours).toHaveLength(7);
    expect(ours.every((m) => m.state === 'pending')).toBe(true);
    const r = await cli(['status', '--database-url', db.url, '--migrations', dir]);
    expect(r.exitCode).toBe(1); // pending, as prisma migrate status
    expect(r.stdout).toMatch(/7 migrations \(7 pending\)/);
    expect(r.stdout).toContain('organization_module');
  });

  // nine runs of the Prisma CLI: over a minute on a loaded machine
  it('follows states made by Prisma itself: applied, failed, rolled back, modified, missing locally', {
    timeout: 180_000,
  }, async () => {
    const d = await freshDatabase('states');
    const dir = makeMigrations({ m1_a: 'SELECT 1;\n', m2_b: 'SELECT 2;\n', m3_c: 'SELECT 3;\n' });
    try {
      expect((await prisma(['migrate', 'resolve', '--applied', 'm1_a'], d.url, dir)).exitCode).toBe(0);
      let ours = await expectPrismaAgrees(d.url, dir);
      expect(ours.map((m) => m.state)).toEqual(['applied', 'pending', 'pending']);

      // A failed row as Prisma leaves it (finished_at and rolled_back_at NULL, logs set).
      await query(
        d.url,
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES ('f1', 'x', 'm2_b', 'boom')`,
      );
      ours = await expectPrismaAgrees(d.url, dir);
      expect(ours.map((m) => m.state)).toEqual(['applied', 'failed', 'pending']);

      expect((await prisma(['migrate', 'resolve', '--applied', 'm3_c'], d.url, dir)).exitCode).toBe(0);
      ours = await expectPrismaAgrees(d.url, dir);
      expect(ours.map((m) => m.state)).toEqual(['applied', 'failed', 'applied']);

      expect((await prisma(['migrate', 'resolve', '--rolled-back', 'm2_b'], d.url, dir)).exitCode).toBe(0);
      ours = await expectPrismaAgrees(d.url, dir);
      expect(ours.map((m) => m.state)).toEqual(['applied', 'rolled-back', 'applied']);

      writeFileSync(path.join(dir, 'm1_a', 'migration.sql'), 'SELECT 1;\r\n');
      ours = await expectPrismaAgrees(d.url, dir);
      expect(ours[0]!.state).toBe('applied'); // the CRLF twin is the same migration

      writeFileSync(path.join(dir, 'm1_a', 'migration.sql'), 'SELECT 42;\n');
      ours = await expectPrismaAgrees(d.url, dir);
      expect(ours[0]!.state).toBe('modified');

      await query(
        d.url,
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ('g1', 'y', 'm0_gone', now(), 1)`,
      );
      ours = await expectPrismaAgrees(d.url, dir);
      expect(ours.find((m) => m.name === 'm0_gone')?.state).toBe('missing-locally');
    } finally {
      await d.drop();
    }
  });

  it('modified: a file edited after Prisma applied it, or after we did, is modified for both', {
    timeout: 120_000,
  }, async () => {
    const d = await freshDatabase('modified');
    const dir = makeMigrations({ m1_a: 'CREATE TABLE a (id int);\n', m2_b: 'CREATE TABLE b (id int);\n' });
    try {
      const deploy = await prisma(['migrate', 'deploy'], d.url, dir);
      expect(deploy.exitCode, deploy.output).toBe(0);
      // then a third, applied by our run
      mkdirSync(path.join(dir, 'm3_c'));
      writeFileSync(path.join(dir, 'm3_c', 'migration.sql'), 'CREATE TABLE c (id int);\n');
      expect((await cli(['run', '--yes', '--database-url', d.url, '--migrations', dir])).exitCode).toBe(0);
      let ours = await expectPrismaAgrees(d.url, dir);
      expect(ours.map((m) => m.state)).toEqual(['applied', 'applied', 'applied']);
      // one applied by Prisma, one by us: each edited after it was applied
      writeFileSync(path.join(dir, 'm1_a', 'migration.sql'), 'CREATE TABLE a (id bigint);\n');
      writeFileSync(path.join(dir, 'm3_c', 'migration.sql'), 'CREATE TABLE c (id bigint);\n');
      ours = await expectPrismaAgrees(d.url, dir);
      expect(ours.map((m) => `${m.name}:${m.state}`)).toEqual(['m1_a:modified', 'm2_b:applied', 'm3_c:modified']);
      expect((await prismaStatus(d.url, dir)).modified.sort()).toEqual(['m1_a', 'm3_c']);
      const r = await cli(['status', '--database-url', d.url, '--migrations', dir]);
      expect(r.exitCode, r.stderr).toBe(0); // as Prisma: an edited file is not pending
      expect(r.stdout).toMatch(/m1_a.*modified/);
    } finally {
      await d.drop();
    }
  });

  it('explains a rolled-back migration in the human output', async () => {
    const d = await freshDatabase('rb');
    const dir = makeMigrations({ m1_a: 'SELECT 1;\n' });
    try {
      await query(
        d.url,
        `CREATE TABLE _prisma_migrations (id varchar(36) primary key, checksum varchar(64) not null, finished_at timestamptz, migration_name varchar(255) not null, logs text, rolled_back_at timestamptz, started_at timestamptz not null default now(), applied_steps_count int not null default 0)`,
      );
      await query(
        d.url,
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, rolled_back_at) VALUES ('r1', 'x', 'm1_a', 'boom', now())`,
      );
      const r = await cli(['status', '--database-url', d.url, '--migrations', dir]);
      expect(r.stdout).toMatch(/rolled-back/);
      expect(r.stdout).toMatch(/next run applies it again/);
      expect((await ourStatus(d.url, dir))[0]!.state).toBe('rolled-back');
    } finally {
      await d.drop();
    }
  });
});

describe('status exits as prisma migrate status (issue 26)', () => {
  it('1 with a migration pending or failed, 0 up to date or resolved as rolled back: the real Prisma CLI says the same', {
    timeout: 120_000,
  }, async () => {
    const d = await freshDatabase('status_exit');
    try {
      const dir = makeMigrations({ '1_a': 'CREATE TABLE a (id int);', '2_b': 'CREATE TABLE b (id int);' });
      const both = async (what: string, code: number) => {
        const ours = await cli(['status', '--database-url', d.url, '--migrations', dir]);
        const theirs = await prismaStatus(d.url, dir);
        expect([what, ours.exitCode], ours.stderr).toEqual([what, code]);
        expect([what, theirs.exitCode], theirs.output).toEqual([what, code]);
      };
      await both('pending', 1);
      expect((await cli(['run', '--yes', '--database-url', d.url, '--migrations', dir])).exitCode).toBe(0);
      await both('up to date', 0);
      await query(
        d.url,
        "UPDATE _prisma_migrations SET finished_at = NULL, logs = 'boom' WHERE migration_name = '2_b'",
      );
      await both('failed', 1);
      await query(d.url, "UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '2_b'");
      await both('resolved as rolled back', 0);
      const help = await cli(['status', '--help']);
      expect(help.stdout).toContain(
        'Exit codes, as `prisma migrate status`: 0 up to date; 1 a migration is pending or failed',
      );
    } finally {
      await d.drop();
    }
  });
});
