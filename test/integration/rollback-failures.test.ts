import { describe, it, expect } from 'vitest';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { expectPrismaAgrees } from '../helpers/oracle.js';
import { journalFolder, journalLines } from '../helpers/journal.js';

/** Rolling back when down.sql fails or is missing: nothing changes, the DBA is told why, Prisma agrees. */
describe('rollback when down.sql cannot do it', () => {
  it('a failing down.sql changes nothing: the table and the record stay, the journal says it failed', async () => {
    const db = await freshDatabase('rb_fail');
    const j = journalFolder();
    const dir = makeMigrations({
      '1_a': {
        up: 'CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);',
        down: 'DROP TABLE a;\nDROP TABLE never_created;',
      },
    });
    const base = ['--database-url', db.url, '--migrations', dir];
    try {
      expect((await cli(['run', '--yes', ...base], { env: j.env })).exitCode).toBe(0);
      const r = await cli(['rollback', '1_a', '--yes', ...base], { env: j.env });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(
        /down\.sql of 1_a failed at line 2: .*"never_created" does not exist.*Nothing was changed\./,
      );
      // DROP TABLE a ran in the same transaction and was rolled back with it.
      expect(await query(db.url, 'SELECT count(*)::int AS n FROM a')).toEqual([{ n: 1 }]);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied']);
      const rollback = journalLines(j.dir).filter((l) => l.action === 'rollback');
      expect(rollback.at(-1)?.details).toMatchObject({
        name: '1_a',
        kind: 'down-sql',
        outcome: 'failed',
        error: { code: '42P01' },
      });
    } finally {
      await db.drop();
    }
  });

  it('a missing down.sql: refused with what to write, the migration stays applied', async () => {
    const db = await freshDatabase('rb_missing');
    const dir = makeMigrations({ '1_a': 'CREATE TABLE a (id int);' });
    const base = ['--database-url', db.url, '--migrations', dir];
    try {
      expect((await cli(['run', '--yes', ...base])).exitCode).toBe(0);
      const r = await cli(['rollback', '1_a', '--yes', ...base]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(
        /Migration 1_a has no down\.sql, so it cannot be rolled back here: write .*1_a\/down\.sql/,
      );
      expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 'a'`)).toHaveLength(1);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied']);
    } finally {
      await db.drop();
    }
  });

  it('--run-down on a failed migration without down.sql is refused, not reported as run', async () => {
    const db = await freshDatabase('rb_nodown');
    const dir = makeMigrations({
      '1_half':
        'CREATE TABLE h (id int);\nCREATE INDEX CONCURRENTLY h_i ON h (id);\nINSERT INTO missing_table VALUES (1);',
    });
    const base = ['--database-url', db.url, '--migrations', dir];
    try {
      expect((await cli(['run', '--yes', ...base])).exitCode).toBe(1);
      const r = await cli(['rollback', '1_half', '--run-down', '--yes', '--json', ...base]);
      expect(r.exitCode, r.stdout).toBe(2);
      expect(r.stderr).toMatch(/1_half has no down\.sql to run/);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['failed']);
      // Without --run-down it is only recorded as rolled back, and says so.
      const plain = await cli(['rollback', '1_half', '--yes', '--json', ...base]);
      expect(plain.exitCode, plain.stderr).toBe(0);
      expect(json(plain)).toMatchObject({ name: '1_half', kind: 'mark-rolled-back', ranDownSql: false });
    } finally {
      await db.drop();
    }
  });
});
