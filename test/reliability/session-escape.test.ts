import { describe, it, expect } from 'vitest';
import { freshDatabase, client, query, adminUrl } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli } from '../helpers/cli.js';
import { expectPrismaAgrees } from '../helpers/oracle.js';

describe("a migration cannot escape the engine's settings", () => {
  it('RESET ALL, SET ROLE and SET search_path in one migration: its bookkeeping still works and a later migration keeps --lock-timeout', async () => {
    const db = await freshDatabase('escape');
    const weak = `cm_weak_${db.name.slice(-10)}`;
    const dir = makeMigrations({
      '1_t': 'CREATE TABLE t (id int);',
      '2_reset': `RESET ALL;\nCREATE ROLE ${weak};\nSET ROLE ${weak};\nSET search_path = nowhere;`,
      '3_alter': 'ALTER TABLE t ADD COLUMN note text;',
    });
    const holder = await client(db.url);
    try {
      expect((await cli(['run', '--yes', '--to', '1_t', '--database-url', db.url, '--migrations', dir])).exitCode).toBe(
        0,
      );
      await holder.query('BEGIN; SELECT * FROM t;'); // ACCESS SHARE on t until ROLLBACK
      const t0 = Date.now();
      // Without the settings set again, RESET ALL would leave lock_timeout 0: 3_alter would wait for ever.
      const r = await cli(
        [
          'run',
          '--yes',
          '--database-url',
          db.url,
          '--migrations',
          dir,
          '--lock-timeout',
          '300ms',
          '--lock-retries',
          '1',
        ],
        { timeout: 30_000 },
      );
      expect(r.exitCode, r.stderr).toBe(1);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(r.stderr).toMatch(/✓ 2_reset/);
      expect(r.stderr).toMatch(/✗ 3_alter {2}failed: lock timeout/);
      await holder.query('ROLLBACK');
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied', 'applied', 'pending']);
    } finally {
      await holder.end();
      await db.drop();
      await query(adminUrl(), `DROP ROLE IF EXISTS ${weak}`).catch(() => undefined);
    }
  });

  it('pg_advisory_unlock_all() in a migration: the run stops cleanly and a second run started meanwhile applies nothing twice', async () => {
    const db = await freshDatabase('unlock');
    const dir = makeMigrations({
      '1_unlock': 'SELECT pg_advisory_unlock_all();\nCREATE TABLE u (id int);\nSELECT pg_sleep(1.5);',
      '2_insert': 'CREATE TABLE ins (n int);\nINSERT INTO ins VALUES (1);',
    });
    try {
      const first = cli(['run', '--yes', '--database-url', db.url, '--migrations', dir]);
      for (let i = 0; i < 100; i++) {
        if (
          (
            await query(
              db.url,
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE '%pg_sleep%' AND state = 'active' AND application_name LIKE 'citadel-migrate run%'`,
            )
          ).length
        )
          break;
        await new Promise((res) => setTimeout(res, 50));
      }
      const second = await cli(['run', '--yes', '--database-url', db.url, '--migrations', dir]);
      const r = await first;
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(
        /Prisma's advisory lock was released while 1_unlock ran .* rolled back and the run stopped/,
      );
      expect(second.exitCode).toBe(1);
      const rows = await query<{ migration_name: string }>(db.url, `SELECT migration_name FROM _prisma_migrations`);
      expect(rows).toEqual([]);
      expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname IN ('u', 'ins')`)).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it('SET SESSION AUTHORIZATION in a migration: the next migrations run as the user that started the run, bookkeeping included', async () => {
    const db = await freshDatabase('sessauth');
    const weak = `cm_auth_${db.name.slice(-10)}`;
    const dir = makeMigrations({
      '0_init': 'CREATE TABLE first (id int);',
      '1_auth': `SET SESSION AUTHORIZATION ${weak};\nCREATE TABLE by_weak (id int);`,
      '2_next': 'CREATE TABLE by_runner (id int);',
      '3_cic': `SET SESSION AUTHORIZATION ${weak};\nCREATE TABLE weak_too (id int);\nCREATE INDEX CONCURRENTLY weak_too_id ON weak_too (id);`,
      '4_after': 'CREATE TABLE after_cic (id int);',
    });
    try {
      await query(adminUrl(), `CREATE ROLE ${weak}`);
      expect(
        (await cli(['run', '--yes', '--to', '0_init', '--database-url', db.url, '--migrations', dir])).exitCode,
      ).toBe(0);
      // the role may write the history and create tables: nothing stops the escape but the engine itself
      await query(db.url, `GRANT ALL ON SCHEMA public TO ${weak}; GRANT ALL ON _prisma_migrations TO ${weak}`);
      const plan = await cli(['plan', '--json', '--database-url', db.url, '--migrations', dir]);
      const finding = JSON.parse(plan.stdout).findings.find(
        (f: { rule: string }) => f.rule === 'session-authorization',
      );
      expect(finding).toMatchObject({ severity: 'warning' });
      expect(finding.message).toMatch(
        /the engine returns to the user that started the run for its bookkeeping and the next migration/,
      );
      const r = await cli(['run', '--yes', '--database-url', db.url, '--migrations', dir]);
      expect(r.exitCode, r.stderr).toBe(0);
      const [runner] = await query<{ u: string }>(db.url, 'SELECT current_user AS u');
      const owners = await query<{ relname: string; owner: string }>(
        db.url,
        `SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c WHERE c.relname IN ('by_weak', 'by_runner', 'weak_too', 'after_cic') ORDER BY 1`,
      );
      expect(owners).toEqual([
        { relname: 'after_cic', owner: runner!.u },
        { relname: 'by_runner', owner: runner!.u },
        { relname: 'by_weak', owner: weak },
        { relname: 'weak_too', owner: weak },
      ]);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(Array(5).fill('applied'));
    } finally {
      await db.drop();
      await query(adminUrl(), `DROP ROLE IF EXISTS ${weak}`).catch(() => undefined);
    }
  });
});
