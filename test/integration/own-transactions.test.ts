import { describe, it, expect } from 'vitest';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { expectPrismaAgrees } from '../helpers/oracle.js';

/** A migration whose author wrote BEGIN/COMMIT runs as written: statement by statement, not in one transaction of ours. */
describe('a migration with its own BEGIN/COMMIT', () => {
  it('runs as written, is reported not atomic, and Prisma agrees it is applied', async () => {
    const db = await freshDatabase('owntxn');
    const dir = makeMigrations({
      '1_own':
        'BEGIN;\nCREATE TABLE o1 (id int);\nINSERT INTO o1 VALUES (1), (2);\nCOMMIT;\nBEGIN;\nCREATE TABLE o2 (id int);\nCOMMIT;',
    });
    try {
      const r = await cli(['run', '--yes', '--json', '--database-url', db.url, '--migrations', dir]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(json(r).migrations).toMatchObject([{ name: '1_own', outcome: 'applied', statements: 7, atomic: false }]);
      expect(await query(db.url, 'SELECT count(*)::int AS n FROM o1')).toEqual([{ n: 2 }]);
      expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 'o2'`)).toHaveLength(1);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied']);
    } finally {
      await db.drop();
    }
  });

  it("a failure inside the author's second transaction keeps the first, rolls back the second, and leaves it failed", async () => {
    const db = await freshDatabase('owntxn_fail');
    const dir = makeMigrations({
      '1_own':
        'BEGIN;\nCREATE TABLE p1 (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE p2 (id int);\nINSERT INTO missing_table VALUES (1);\nCOMMIT;',
    });
    try {
      const r = await cli(['run', '--yes', '--database-url', db.url, '--migrations', dir]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/at migration\.sql line 6: INSERT INTO missing_table/);
      expect(await query(db.url, `SELECT relname FROM pg_class WHERE relname IN ('p1', 'p2')`)).toEqual([
        { relname: 'p1' },
      ]);
      const [row] = await query<{ logs: string }>(
        db.url,
        `SELECT logs FROM _prisma_migrations WHERE migration_name = '1_own'`,
      );
      expect(row!.logs).toMatch(/42P01/);
      // Only the author's first transaction (statements 1-3) is committed; the second was rolled back.
      expect(row!.logs).toMatch(/Statements committed before the failure: 3 of 7 \(non-atomic migration\)/);
      // No transaction of ours is left open: the next session sees no lock on p2 and nothing idle in a transaction.
      expect(
        await query(
          db.url,
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
        ),
      ).toEqual([]);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['failed']);
    } finally {
      await db.drop();
    }
  });
});
