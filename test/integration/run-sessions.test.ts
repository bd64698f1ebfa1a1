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
});
