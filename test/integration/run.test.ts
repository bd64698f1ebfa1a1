import { describe, it, expect } from 'vitest';
import { writeFileSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations, copyBundled } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { prisma } from '../helpers/prisma.js';
import { expectPrismaAgrees } from '../helpers/oracle.js';
import { readJournalFile } from '../../src/journal/read.js';

const run = (url: string, dir: string, ...extra: string[]) =>
  cli(['run', '--yes', '--json', '--database-url', url, '--migrations', dir, ...extra]);
const states = async (url: string, dir: string) =>
  (await expectPrismaAgrees(url, dir)).map((m) => `${m.name}:${m.state}`);

describe('run, skip and rollback keep Prisma parity', () => {
  it("applies the bundled runbook up to the guide's first defect, records the failure as Prisma does, and names the way out", async () => {
    const db = await freshDatabase('bundled');
    const dir = copyBundled();
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode).toBe(1);
      const doc = json(r);
      expect(doc.mode).toBe('live');
      expect(doc.migrations.map((m: any) => m.outcome)).toEqual([
        'applied',
        'applied',
        'applied',
        'failed',
        'not-run',
        'not-run',
        'not-run',
      ]);
      const err = doc.migrations[3].error;
      expect(err).toMatchObject({ code: '42P01', message: 'relation "organizations" does not exist', position: 18 });
      expect(err.statement).toMatch(/^ALTER TABLE "organizations" ADD CONSTRAINT/);
      expect(err.hint).toMatch(/"organizations" is created by the later migration organization_module/);
      expect(await states(db.url, dir)).toEqual([
        '20251117022438_add_password_reset_table:applied',
        '20251118154530_sync_schema_phase30:applied',
        '20251119004754_add_vendor_management_system:applied',
        '20251202_add_owner_relation_and_role_permissions:failed',
        'add_performance_indexes:pending',
        'add_privacy_consent:pending',
        'organization_module:pending',
      ]);
      const [row] = await query<{ logs: string; finished_at: Date | null; rolled_back_at: Date | null }>(
        db.url,
        `SELECT logs, finished_at, rolled_back_at FROM _prisma_migrations WHERE migration_name = '20251202_add_owner_relation_and_role_permissions'`,
      );
      expect(row).toMatchObject({ finished_at: null, rolled_back_at: null });
      expect(row!.logs).toMatch(/Database error code: 42P01/);
      // nothing of the failed atomic migration remains
      expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 'role_permissions'`)).toHaveLength(0);

      const again = await run(db.url, dir);
      expect(again.exitCode).toBe(1);
      expect(again.stderr).toMatch(
        /is in the failed state.*rollback 20251202_add_owner_relation_and_role_permissions.*skip 20251202/,
      );

      // rollback of the failed one (resolve --rolled-back), then skip it: Prisma agrees at each step
      const rb = await cli([
        'rollback',
        '20251202_add_owner_relation_and_role_permissions',
        '--yes',
        '--database-url',
        db.url,
        '--migrations',
        dir,
      ]);
      expect(rb.exitCode, rb.stderr).toBe(0);
      expect((await states(db.url, dir))[3]).toBe('20251202_add_owner_relation_and_role_permissions:rolled-back');
      const sk = await cli([
        'skip',
        '20251202_add_owner_relation_and_role_permissions',
        '--reason',
        'runs after organization_module',
        '--yes',
        '--database-url',
        db.url,
        '--migrations',
        dir,
      ]);
      expect(sk.exitCode, sk.stderr).toBe(0);
      expect((await states(db.url, dir))[3]).toBe('20251202_add_owner_relation_and_role_permissions:applied');
      const [skipped] = await query<{ applied_steps_count: number }>(
        db.url,
        `SELECT applied_steps_count FROM _prisma_migrations WHERE migration_name = '20251202_add_owner_relation_and_role_permissions' AND finished_at IS NOT NULL`,
      );
      expect(skipped!.applied_steps_count).toBe(0);
    } finally {
      await db.drop();
    }
  });

  // five runs of the Prisma CLI: about 40 s alone, over a minute on a loaded machine
  it('stops after --to, skips a pending migration, rolls back an applied one so Prisma sees it pending again', {
    timeout: 180_000,
  }, async () => {
    const db = await freshDatabase('to');
    const dir = makeMigrations({
      '1_users': { up: 'CREATE TABLE users (id int primary key);', down: 'DROP TABLE users;' },
      '2_orders': {
        up: 'CREATE TABLE orders (id int primary key, user_id int references users(id));\nCREATE INDEX orders_user_idx ON orders(user_id);',
        down: 'DROP TABLE orders;',
      },
      '3_extra': { up: 'CREATE TABLE extra (id int);', down: 'DROP TABLE extra;' },
    });
    try {
      const r = await run(db.url, dir, '--to', '2_orders');
      expect(r.exitCode, r.stderr).toBe(0);
      expect(json(r).migrations.map((m: any) => m.outcome)).toEqual(['applied', 'applied']);
      expect(await states(db.url, dir)).toEqual(['1_users:applied', '2_orders:applied', '3_extra:pending']);

      const sk = await cli([
        'skip',
        '3_extra',
        '--reason',
        'made by hand',
        '--yes',
        '--database-url',
        db.url,
        '--migrations',
        dir,
      ]);
      expect(sk.exitCode).toBe(0);
      expect(await states(db.url, dir)).toEqual(['1_users:applied', '2_orders:applied', '3_extra:applied']);
      const twice = await cli([
        'skip',
        '3_extra',
        '--reason',
        'again',
        '--yes',
        '--database-url',
        db.url,
        '--migrations',
        dir,
      ]);
      expect(twice.exitCode).toBe(1);
      expect(twice.stderr).toMatch(/already applied/);

      const early = await cli(['rollback', '1_users', '--yes', '--database-url', db.url, '--migrations', dir]);
      expect(early.exitCode).toBe(2);
      expect(early.stderr).toMatch(/Later migrations are applied after 1_users: 2_orders, 3_extra.*--force/);

      const rb = await cli(['rollback', '2_orders', '--yes', '--force', '--database-url', db.url, '--migrations', dir]);
      expect(rb.exitCode, rb.stderr).toBe(0);
      expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 'orders'`)).toHaveLength(0);
      expect(await states(db.url, dir)).toEqual(['1_users:applied', '2_orders:pending', '3_extra:applied']);

      const re = await run(db.url, dir);
      expect(re.exitCode, re.stderr).toBe(0);
      expect(await states(db.url, dir)).toEqual(['1_users:applied', '2_orders:applied', '3_extra:applied']);
    } finally {
      await db.drop();
    }
  });

  it('refuses to run past a modified applied migration unless --allow-modified', async () => {
    const db = await freshDatabase('mod');
    const dir = makeMigrations({ '1_a': 'CREATE TABLE a (id int);', '2_b': 'CREATE TABLE b (id int);' });
    try {
      expect((await run(db.url, dir, '--to', '1_a')).exitCode).toBe(0);
      writeFileSync(path.join(dir, '1_a', 'migration.sql'), 'CREATE TABLE a (id bigint);');
      const r = await run(db.url, dir);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/1_a has been modified.*--allow-modified/);
      expect(await states(db.url, dir)).toEqual(['1_a:modified', '2_b:pending']);
      expect((await run(db.url, dir, '--allow-modified')).exitCode).toBe(0);
      expect(await states(db.url, dir)).toEqual(['1_a:modified', '2_b:applied']);
    } finally {
      await db.drop();
    }
  });

  it('runs CREATE INDEX CONCURRENTLY alone in autocommit and reports the migration non-atomic', async () => {
    const db = await freshDatabase('cic');
    const dir = makeMigrations({
      '1_t': 'CREATE TABLE t (id int, v text);\nINSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g;',
      '2_idx':
        '-- built without blocking writes\nCREATE INDEX CONCURRENTLY t_v_idx ON t (v);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_id_idx ON t (id);\nANALYZE t;',
    });
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode, r.stderr).toBe(0);
      const doc = json(r);
      expect(doc.migrations.map((m: any) => [m.name, m.atomic, m.outcome])).toEqual([
        ['1_t', true, 'applied'],
        ['2_idx', false, 'applied'],
      ]);
      const idx = await query<{ indexrelid: string; indisvalid: boolean }>(
        db.url,
        `SELECT indexrelid::regclass::text, indisvalid FROM pg_index WHERE indrelid = 't'::regclass ORDER BY 1`,
      );
      expect(idx).toEqual([
        { indexrelid: 't_id_idx', indisvalid: true },
        { indexrelid: 't_v_idx', indisvalid: true },
      ]);
      expect(await states(db.url, dir)).toEqual(['1_t:applied', '2_idx:applied']);
    } finally {
      await db.drop();
    }
  });

  it("runs after bookkeeping written by Prisma's own migrate resolve", async () => {
    const db = await freshDatabase('prismafirst');
    const dir = makeMigrations({ '1_a': 'CREATE TABLE a (id int);', '2_b': 'CREATE TABLE b (id int);' });
    try {
      await query(db.url, 'CREATE TABLE a (id int)');
      expect((await prisma(['migrate', 'resolve', '--applied', '1_a'], db.url, dir)).exitCode).toBe(0);
      const r = await run(db.url, dir);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(json(r).migrations.map((m: any) => m.name)).toEqual(['2_b']);
      expect(await states(db.url, dir)).toEqual(['1_a:applied', '2_b:applied']);
    } finally {
      await db.drop();
    }
  });

  it('names the relation in the other case when "User" does not exist', async () => {
    const db = await freshDatabase('case');
    const dir = makeMigrations({
      '1_users': 'CREATE TABLE users (id text primary key);',
      '2_privacy': 'ALTER TABLE "User" ADD COLUMN "deletedAt" timestamp(3);',
    });
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode).toBe(1);
      const err = json(r).migrations[1].error;
      expect(err).toMatchObject({ code: '42P01', position: 1 });
      expect(err.hint).toMatch(/no "User" but there is "users"/);
    } finally {
      await db.drop();
    }
  });

  it('a constraint that fails only at COMMIT leaves nothing behind and is recorded failed', async () => {
    const db = await freshDatabase('deferred');
    const dir = makeMigrations({
      '1_deferred':
        'CREATE TABLE parent (id int PRIMARY KEY);\nCREATE TABLE child (pid int REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO child VALUES (1);',
      '2_after': 'CREATE TABLE after_it (id int);',
    });
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode).toBe(1);
      const doc = json(r);
      expect(doc.migrations.map((m: any) => m.outcome)).toEqual(['failed', 'not-run']);
      expect(doc.migrations[0].error.code).toBe('23503');
      // the statements of the failed transaction were never re-run outside it
      expect(
        await query(db.url, `SELECT relname FROM pg_class WHERE relname IN ('parent', 'child', 'after_it')`),
      ).toEqual([]);
      expect(await states(db.url, dir)).toEqual(['1_deferred:failed', '2_after:pending']);
    } finally {
      await db.drop();
    }
  });

  it('stops at a failing migration in the middle: the ones before stay applied, nothing after it runs', async () => {
    const db = await freshDatabase('middle');
    // The three travel to the server in one pipeline; the failure must still stop it where it happens.
    const dir = makeMigrations({
      '1_a': 'CREATE TABLE a (id int);',
      '2_bad': 'CREATE TABLE b (id int);\nINSERT INTO missing VALUES (1);',
      '3_c': 'CREATE TABLE c (id int);',
    });
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode).toBe(1);
      const doc = json(r);
      expect(doc.migrations.map((m: any) => `${m.name}:${m.outcome}`)).toEqual([
        '1_a:applied',
        '2_bad:failed',
        '3_c:not-run',
      ]);
      expect(doc.migrations[1].error).toMatchObject({ code: '42P01', position: 2 });
      expect(doc.migrations[1].error.statement).toMatch(/^INSERT INTO missing/);
      expect(await query(db.url, `SELECT relname FROM pg_class WHERE relname IN ('a', 'b', 'c')`)).toEqual([
        { relname: 'a' },
      ]);
      expect(await states(db.url, dir)).toEqual(['1_a:applied', '2_bad:failed', '3_c:pending']);
    } finally {
      await db.drop();
    }
  });

  it('sends statements one by one as the script wrote them: $1 in PREPARE and bodies, rows, notices, trailing comments', async () => {
    const db = await freshDatabase('odd_sql');
    const dir = makeMigrations({
      '1_odd': [
        'CREATE TABLE odd (id int PRIMARY KEY, v text); -- trailing comment',
        'PREPARE get_odd(int) AS SELECT * FROM odd WHERE id = $1;',
        'DEALLOCATE get_odd;',
        'CREATE FUNCTION odd_plus(a int) RETURNS int LANGUAGE sql AS $$ SELECT $1 + 1 $$;',
        "DO $$ BEGIN RAISE NOTICE 'hello %', 1; END $$;",
        'SELECT * FROM generate_series(1, 3);',
        "INSERT INTO odd VALUES (1, 'a;b -- not a comment');",
        "COMMENT ON TABLE odd IS 'has ; and $1 and -- inside';",
        '/* a block comment at the end */',
      ].join('\n'),
    });
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(json(r).migrations[0]).toMatchObject({ outcome: 'applied', statements: 8 });
      expect(
        await query(db.url, `SELECT v, odd_plus(1) AS plus, obj_description('odd'::regclass) AS note FROM odd`),
      ).toEqual([{ v: 'a;b -- not a comment', plus: 2, note: 'has ; and $1 and -- inside' }]);
    } finally {
      await db.drop();
    }
  });

  it('--statement-timeout holds for each statement, not for the pipeline that carries them', async () => {
    const db = await freshDatabase('stmt_timeout');
    const dir = makeMigrations({
      '1_short_ones': 'SELECT pg_sleep(0.2);\nSELECT pg_sleep(0.2);\nSELECT pg_sleep(0.2);',
      '2_long_one': 'SELECT pg_sleep(0.2);\nSELECT pg_sleep(0.6);',
    });
    try {
      const r = await run(db.url, dir, '--statement-timeout', '400ms');
      expect(r.exitCode).toBe(1);
      const doc = json(r);
      expect(doc.migrations.map((m: any) => `${m.name}:${m.outcome}`)).toEqual([
        '1_short_ones:applied',
        '2_long_one:failed',
      ]);
      expect(doc.migrations[1].error).toMatchObject({ code: '57014', position: 2 });
    } finally {
      await db.drop();
    }
  });

  it('reports each statement of a migration as it completes, though the migration goes out in one round trip', async () => {
    const db = await freshDatabase('live_progress');
    const dir = makeMigrations({
      '1_slow': 'CREATE TABLE a (id int);\nSELECT pg_sleep(0.4);\nSELECT pg_sleep(0.4);\nCREATE TABLE b (id int);',
    });
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-journal-'));
    try {
      const r = await cli(['run', '--yes', '--database-url', db.url, '--migrations', dir, '--journal-dir', journalDir]);
      expect(r.exitCode, r.stderr).toBe(0);
      const lines = readJournalFile(readdirSync(journalDir).map((f) => path.join(journalDir, f))[0]!).lines;
      const at = (action: string, index: number) =>
        Date.parse((lines.find((l) => l.action === action && (l.details as any).index === index)!.details as any).at);
      // Statement 3 starts when statement 2 has finished on the server, not when the round trip ends.
      expect(at('migration.statement', 3) - at('migration.statement', 2)).toBeGreaterThanOrEqual(350);
      expect(at('migration.statement', 4) - at('migration.statement', 3)).toBeGreaterThanOrEqual(350);
      const durations = lines
        .filter((l) => l.action === 'migration.statement-end')
        .map((l) => (l.details as any).durationMs);
      expect(durations[1]).toBeGreaterThanOrEqual(350);
      expect(durations[2]).toBeGreaterThanOrEqual(350);
      expect(durations[3]).toBeLessThan(350);
    } finally {
      await db.drop();
    }
  });

  it('runs past an applied migration whose script the parser rejects: only pending scripts must parse', async () => {
    const db = await freshDatabase('applied_bad_sql');
    // Recorded as applied by hand (skip) after it ran on an older server; scripts are parsed ahead
    // while the run connects, and that early parse of an applied script must not fail the run.
    const dir = makeMigrations({
      '1_legacy': 'CREATE TABEL legacy (id int);',
      '2_new': 'CREATE TABLE fresh (id int);',
    });
    try {
      const s = await cli([
        'skip',
        '1_legacy',
        '--reason',
        'applied by hand in 2019',
        '--yes',
        '--database-url',
        db.url,
        '--migrations',
        dir,
      ]);
      expect(s.exitCode).toBe(0);
      const r = await run(db.url, dir);
      expect(r.exitCode).toBe(0);
      expect(json(r).migrations.map((m: any) => `${m.name}:${m.outcome}`)).toEqual(['2_new:applied']);
      expect(await states(db.url, dir)).toEqual(['1_legacy:applied', '2_new:applied']);
    } finally {
      await db.drop();
    }
  });

  it('refuses SQL the parser rejects before applying anything, naming the file and line', async () => {
    const db = await freshDatabase('syntax');
    const dir = makeMigrations({
      '1_ok': 'CREATE TABLE ok (id int);',
      '2_bad': 'CREATE TABLE x (id int);\n\nCREATE TABEL y (id int);',
    });
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/2_bad\/migration.sql, line 3: syntax error at or near "TABEL"/);
      expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 'ok'`)).toHaveLength(0);
    } finally {
      await db.drop();
    }
  });
});
