import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations, copyBundled } from '../helpers/folders.js';
import { prisma } from '../helpers/prisma.js';
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
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/7 migrations \(7 pending\)/);
    expect(r.stdout).toContain('organization_module');
  });

  it('follows states made by Prisma itself: applied, failed, rolled back, modified, missing locally', async () => {
    const d = await freshDatabase('states');
    const dir = makeMigrations({ m1_a: 'SELECT 1;\n', m2_b: 'SELECT 2;\n', m3_c: 'SELECT 3;\n' });
    try {
      expect((await prisma(['migrate', 'resolve', '--applied', 'm1_a'], d.url, dir)).exitCode).toBe(0);
      let ours = await expectPrismaAgrees(d.url, dir);
      expect(ours.map((m) => m.state)).toEqual(['applied', 'pending', 'pending']);

      // A failed row as Prisma leaves it (finished_at and rolled_back_at NULL, logs set).
      await query(d.url, `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES ('f1', 'x', 'm2_b', 'boom')`);
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

      await query(d.url, `INSERT INTO _prisma_migrations (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ('g1', 'y', 'm0_gone', now(), 1)`);
      ours = await expectPrismaAgrees(d.url, dir);
      expect(ours.find((m) => m.name === 'm0_gone')?.state).toBe('missing-locally');
    } finally {
      await d.drop();
    }
  });

  it('explains a rolled-back migration in the human output', async () => {
    const d = await freshDatabase('rb');
    const dir = makeMigrations({ m1_a: 'SELECT 1;\n' });
    try {
      await query(d.url, `CREATE TABLE _prisma_migrations (id varchar(36) primary key, checksum varchar(64) not null, finished_at timestamptz, migration_name varchar(255) not null, logs text, rolled_back_at timestamptz, started_at timestamptz not null default now(), applied_steps_count int not null default 0)`);
      await query(d.url, `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, rolled_back_at) VALUES ('r1', 'x', 'm1_a', 'boom', now())`);
      const r = await cli(['status', '--database-url', d.url, '--migrations', dir]);
      expect(r.stdout).toMatch(/rolled-back/);
      expect(r.stdout).toMatch(/next run applies it again/);
      expect((await ourStatus(d.url, dir))[0]!.state).toBe('rolled-back');
    } finally {
      await d.drop();
    }
  });
});
