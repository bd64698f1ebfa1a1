// A confirmed run (--yes) opens one session per role, the run's and the watcher's: the server's
// identity (the journal's key) is read on the run's own session, not on a connection of its own.
// pg_stat_database.sessions counts every session that logged in to the database (PostgreSQL 14+).
import { describe, expect, test } from 'vitest';
import { rmSync } from 'node:fs';
import { freshDatabase, query, adminUrl } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';

const sessionsOf = async (database: string) =>
  Number(
    (
      await query<{ n: string }>(adminUrl(), 'SELECT sessions AS n FROM pg_stat_database WHERE datname = $1', [
        database,
      ])
    )[0]?.n ?? 0,
  );

const backendsOn = async (database: string) =>
  Number(
    (
      await query<{ n: string }>(adminUrl(), 'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [
        database,
      ])
    )[0]!.n,
  );

describe('the sessions a run opens', () => {
  test('run --yes logs in twice (run and watch), and the journal is still keyed by the server', async () => {
    const db = await freshDatabase('sessions');
    const dir = makeMigrations({ '1_t': 'CREATE TABLE t (id int);', '2_u': 'CREATE TABLE u (id int);' });
    try {
      const before = await sessionsOf(db.name);
      const r = await cli(['run', '--yes', '--json', '--database-url', db.url, '--migrations', dir]);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout).migrations.map((m: { outcome: string }) => m.outcome)).toEqual([
        'applied',
        'applied',
      ]);
      // Counted when each session ends: once none is left, every one of the run's is counted.
      await waitUntil('the run to leave no session behind', async () => (await backendsOn(db.name)) === 0);
      const after = await waitUntil('the sessions to be counted', async () => {
        const n = (await sessionsOf(db.name)) - before;
        return n >= 2 && n;
      });
      expect(after).toBe(2);
      // The journal was opened under the identity read on the run's session: status finds the run in it.
      const report = await cli(['report', '--database-url', db.url, '--migrations', dir]);
      expect(report.stdout).toContain('2_u');
    } finally {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a run reads the history once: no read before Prisma's lock and another under it", async () => {
    const db = await freshDatabase('history_once');
    const dir = makeMigrations({ '1_t': 'CREATE TABLE t (id int);', '2_u': 'CREATE TABLE u (id int);' });
    // Full reads of _prisma_migrations are sequential scans (the bookkeeping's updates go by its key).
    const scans = async () =>
      Number(
        (
          await query<{ n: string }>(
            db.url,
            "SELECT seq_scan AS n FROM pg_stat_user_tables WHERE relname = '_prisma_migrations'",
          )
        )[0]!.n,
      );
    try {
      const first = await cli(['run', '--yes', '--database-url', db.url, '--migrations', dir]);
      expect(first.exitCode).toBe(0);
      await waitUntil('the first run to leave', async () => (await backendsOn(db.name)) === 0);
      const before = await scans();
      // Nothing pending: all the run reads of the history is what tells it so.
      const r = await cli(['run', '--yes', '--database-url', db.url, '--migrations', dir]);
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toContain('nothing to apply: every migration is applied');
      // A session's counts reach the server's statistics when it ends.
      await waitUntil('the run to leave no session behind', async () => (await backendsOn(db.name)) === 0);
      await waitUntil("the run's read to be counted", async () => (await scans()) > before);
      expect((await scans()) - before).toBe(1);
    } finally {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
