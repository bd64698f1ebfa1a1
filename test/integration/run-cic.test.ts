import { describe, it, expect } from 'vitest';
import { freshDatabase, client, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { expectPrismaAgrees } from '../helpers/oracle.js';

const indexState = (url: string) =>
  query<{ valid: boolean }>(
    url,
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_id_idx'`,
  );

describe('CREATE INDEX CONCURRENTLY that meets a lock', () => {
  it('names the lock timeout and the INVALID index it could not drop; status and verify report it; once free, the next run cleans it and builds the index', async () => {
    const db = await freshDatabase('cic');
    const dir = makeMigrations({
      '1_t': 'CREATE TABLE t (id int);\nINSERT INTO t SELECT generate_series(1, 1000);',
      '2_idx': 'CREATE INDEX CONCURRENTLY t_id_idx ON t (id);',
    });
    const holder = await client(db.url);
    try {
      expect((await cli(['run', '--yes', '--to', '1_t', '--database-url', db.url, '--migrations', dir])).exitCode).toBe(
        0,
      );
      await holder.query('BEGIN; UPDATE t SET id = id WHERE id = 1;'); // a row lock held, idle in transaction
      const r = await cli([
        'run',
        '--yes',
        '--json',
        '--database-url',
        db.url,
        '--migrations',
        dir,
        '--lock-timeout',
        '300ms',
        '--lock-retries',
        '1',
      ]);
      expect(r.exitCode).toBe(1);
      const err = json(r).migrations[0].error;
      expect(err.code).toBe('55P03');
      expect(err.message).toMatch(
        /lock timeout.*the INVALID index "t_id_idx", which could not be dropped.*DROP INDEX CONCURRENTLY IF EXISTS "t_id_idx"/,
      );
      expect(err.message).not.toMatch(/already exists/);
      expect(await indexState(db.url)).toEqual([{ valid: false }]);

      const st = await cli(['status', '--database-url', db.url, '--migrations', dir]);
      expect(st.stdout).toMatch(/index t_id_idx is INVALID .* DROP INDEX CONCURRENTLY IF EXISTS "t_id_idx";/);
      const v = await cli(['verify', '--json', '--database-url', db.url, '--migrations', dir]);
      expect(json(v).integrity.invalidIndexes).toEqual(['t_id_idx']);

      await holder.query('COMMIT');
      // The failed state asks for a decision (something remained); after rollback the next run drops
      // the leftover first instead of failing with "already exists".
      expect((await cli(['rollback', '2_idx', '--yes', '--database-url', db.url, '--migrations', dir])).exitCode).toBe(
        0,
      );
      const again = await cli(['run', '--yes', '--database-url', db.url, '--migrations', dir]);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(await indexState(db.url)).toEqual([{ valid: true }]);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied', 'applied']);
    } finally {
      await holder.end();
      await db.drop();
    }
  });

  it('a CONCURRENTLY build that timed out on a lock leaves no INVALID index and the migration pending once its blocker lets the drop through', async () => {
    const db = await freshDatabase('cic2');
    const dir = makeMigrations({
      '1_t': 'CREATE TABLE t (id int);',
      '2_idx': 'CREATE INDEX CONCURRENTLY t_id_idx ON t (id);',
    });
    const holder = await client(db.url);
    try {
      expect((await cli(['run', '--yes', '--to', '1_t', '--database-url', db.url, '--migrations', dir])).exitCode).toBe(
        0,
      );
      // A transaction with a snapshot but no lock on t: the build waits for it, the drop does not.
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1; SELECT txid_current();');
      const r = await cli([
        'run',
        '--yes',
        '--json',
        '--database-url',
        db.url,
        '--migrations',
        dir,
        '--lock-timeout',
        '300ms',
        '--lock-retries',
        '1',
      ]);
      expect(r.exitCode).toBe(1);
      expect(json(r).migrations[0].error.code).toBe('55P03');
      expect(await indexState(db.url)).toEqual([]);
      await holder.query('COMMIT');
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied', 'pending']);
    } finally {
      await holder.end();
      await db.drop();
    }
  });
});
