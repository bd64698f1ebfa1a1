import { describe, it, expect } from 'vitest';
import { execa } from 'execa';
import { client, freshDatabase, query } from '../helpers/db.js';
import { BIN, CLI_ENV } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';
import { journalFolder } from '../helpers/journal.js';
import { stallProxy } from '../helpers/stallProxy.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * Issue 24, finding 14, for rollback and skip: the server finishes their statement, the reply
 * never arrives (a stalled path), and no one sends a signal. They used to wait forever, their
 * backend idle in transaction holding locks; now, 2 s (the test's deadline) after the server
 * finished, the command ends its backend, reads back where the migration stands and says so.
 */
const DEADLINE = { CITADEL_ANSWER_DEADLINE_MS: '2000' };

/** A database with `applied` applied directly, and a CLI command on it behind a proxy that can stall. */
async function setUp(spec: Parameters<typeof makeMigrations>[0], applied: string) {
  const db = await freshDatabase('lostw');
  const migrations = makeMigrations(spec);
  const r = await execa(
    'node',
    [BIN, 'run', '--yes', '--to', applied, '--migrations', migrations, '--database-url', db.url],
    {
      env: CLI_ENV,
      reject: false,
    },
  );
  expect(r.exitCode, String(r.stderr)).toBe(0);
  const u = new URL(db.url);
  const proxy = await stallProxy(u.hostname, Number(u.port));
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  const start = (args: string[]) => {
    const child = execa('node', [BIN, ...args, '--migrations', migrations, '--database-url', u.toString()], {
      env: { ...CLI_ENV, ...journalFolder('cm-lostw-').env, ...DEADLINE },
      reject: false,
      stdin: 'ignore',
      timeout: 40_000,
    });
    const out = { stderr: '' };
    child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
    return { child, out };
  };
  const cleanup = async () => {
    await proxy.close();
    await db.drop();
  };
  return { db, proxy, start, cleanup };
}

/** The backend of our command (application_name `citadel-migrate <purpose> ...`) in that state, if any. */
const ours = async (url: string, purpose: string, state: string) =>
  (
    await query(
      url,
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE $1 AND state = $2`,
      [`citadel-migrate ${purpose}%`, state],
    )
  ).length > 0;

const sessionsLeft = async (url: string) =>
  (
    await query<{ s: string }>(
      url,
      `SELECT pid || ' ' || coalesce(state, '') || ' ' || application_name AS s FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    )
  ).map((r) => r.s);

describe('an answer lost on a stalled connection, without any signal', () => {
  it('rollback ends by itself, ends its backend (idle in transaction, holding the dropped table) and reads back', async () => {
    const t = await setUp(
      { '1_a': { up: 'CREATE TABLE lostw_a (id int);', down: 'DROP TABLE lostw_a;\nSELECT pg_sleep(1);' } },
      '1_a',
    );
    try {
      const { child, out } = t.start(['rollback', '1_a', '--yes']);
      await waitUntil(
        'down.sql to sleep',
        async () =>
          (
            await query(
              t.db.url,
              `SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(1)%' AND pid <> pg_backend_pid()`,
            )
          ).length > 0,
      );
      t.proxy.stallOpen();
      // the server finishes down.sql and waits, its DROP TABLE's lock held, for an answer to arrive
      await waitUntil('the rollback to sit idle in transaction', async () =>
        ours(t.db.url, 'roll back', 'idle in transaction'),
      );
      const r = await child;
      expect(r.exitCode, out.stderr).toBe(130);
      expect(out.stderr.trim().split('\n').pop()).toBe(
        'The server finished what the rollback sent, but its answer did not arrive within 2 s (a stalled connection): the rollback ended its session on the server; read back from a new session: 1_a is not rolled back (its row is still in _prisma_migrations).',
      );
      await waitUntil(
        'no session of the rollback left',
        async () => !(await sessionsLeft(t.db.url)).length,
        3000,
      ).catch(async (err) => {
        throw new Error(`${err.message}: ${(await sessionsLeft(t.db.url)).join('; ')}`);
      });
      // the table is there and free: its DROP was rolled back with the ended session
      const c = await client(t.db.url);
      try {
        await c.query(`SET lock_timeout = '1s'`);
        expect((await c.query('SELECT count(*)::int AS n FROM lostw_a')).rows[0].n).toBe(0);
      } finally {
        await c.end();
      }
    } finally {
      await t.cleanup();
    }
  });

  it('skip ends by itself, ends its backend (idle in transaction, its row inserted) and reads back', async () => {
    const t = await setUp(
      { '1_a': 'CREATE TABLE lostw_s1 (id int);', '2_b': 'CREATE TABLE lostw_s2 (id int);' },
      '1_a',
    );
    const blocker = await client(t.db.url);
    try {
      // the skip's INSERT into the history waits behind this lock, so the stall can come in between
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE _prisma_migrations IN EXCLUSIVE MODE');
      const { child, out } = t.start(['skip', '2_b', '--yes', '--reason', 'done by hand']);
      await waitUntil(
        'the skip to wait for the lock',
        async () =>
          (
            await query(
              t.db.url,
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'citadel-migrate skip%' AND wait_event_type = 'Lock'`,
            )
          ).length > 0,
      );
      t.proxy.stallOpen();
      await blocker.query('COMMIT');
      await waitUntil('the skip to sit idle in transaction', async () => ours(t.db.url, 'skip', 'idle in transaction'));
      const r = await child;
      expect(r.exitCode, out.stderr).toBe(130);
      expect(out.stderr.trim().split('\n').pop()).toBe(
        'The server finished what the skip sent, but its answer did not arrive within 2 s (a stalled connection): the skip ended its session on the server; read back from a new session: 2_b is not marked applied.',
      );
      await waitUntil(
        'no session of the skip left',
        async () => (await sessionsLeft(t.db.url)).length <= 1,
        3000,
      ).catch(async (err) => {
        throw new Error(`${err.message}: ${(await sessionsLeft(t.db.url)).join('; ')}`);
      });
      expect((await sessionsLeft(t.db.url)).filter((s) => s.includes('citadel-migrate'))).toEqual([]);
      const rows = await query(t.db.url, `SELECT 1 FROM _prisma_migrations WHERE migration_name = '2_b'`);
      expect(rows).toEqual([]);
    } finally {
      await blocker.end().catch(() => undefined);
      await t.cleanup();
    }
  });
});
