import { describe, it, expect } from 'vitest';
import { execa } from 'execa';
import { freshDatabase, client, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json, BIN, CLI_ENV } from '../helpers/cli.js';
import { expectPrismaAgrees } from '../helpers/oracle.js';
import { prisma } from '../helpers/prisma.js';
import { journalFolder, eventsOf } from '../helpers/journal.js';
import { waitUntil } from '../helpers/wait.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until a session of ours runs a statement matching `like` on the database. */
async function waitForStatement(url: string, like: string, timeoutMs = 15_000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const rows = await query<{ pid: number }>(
      url,
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'citadel-migrate run%' AND query ILIKE $1 AND state = 'active'`,
      [like],
    );
    if (rows[0]) return rows[0].pid;
    await sleep(100);
  }
  throw new Error(`no statement like ${like} appeared`);
}

describe('lock-safe execution', () => {
  it('gives up after its lock-timeout retries, names the blocking session and leaves the migration plainly pending', async () => {
    const db = await freshDatabase('locks');
    const j = journalFolder();
    const dir = makeMigrations({ '1_t': 'CREATE TABLE t (id int);', '2_alter': 'ALTER TABLE t ADD COLUMN note text;' });
    const holder = await client(db.url);
    try {
      expect(
        (await cli(['run', '--yes', '--to', '1_t', '--database-url', db.url, '--migrations', dir], { env: j.env }))
          .exitCode,
      ).toBe(0);
      await holder.query(`SET application_name = 'citadelbuy-worker'`);
      await holder.query('BEGIN; SELECT * FROM t;'); // idle in transaction with ACCESS SHARE on t
      const holderPid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const r = await cli(
        ['run', '--yes', '--database-url', db.url, '--migrations', dir, '--lock-timeout', '1s', '--lock-retries', '1'],
        { env: j.env },
      );
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`waits for a lock held by pid ${holderPid}`));
      expect(r.stderr).toMatch(/retry 1\/1 of statement 1 after a lock timeout/);
      expect(r.stderr).toMatch(
        new RegExp(
          `hint: blocked by pid ${holderPid} \\(citadelbuy-worker, idle in transaction, in a transaction for \\d+s.*kill ${holderPid} --terminate`,
        ),
      );
      expect(r.stderr).toMatch(
        /lock timeout behind pid \d+: no lock after 2 attempts.*\n[\s\S]*pending again and the next run applies it/,
      );
      // A lock timeout is transient: nothing to undo, so no failed row that would need a rollback.
      expect(await query(db.url, `SELECT 1 FROM _prisma_migrations WHERE migration_name = '2_alter'`)).toHaveLength(0);
      const st = await cli(['status', '--database-url', db.url, '--migrations', dir], { env: j.env });
      expect(st.stdout).toMatch(
        new RegExp(
          `2_alter: last attempt \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC: lock timeout behind pid ${holderPid}`,
        ),
      );
      // Exactly one retry, seen blocked by the holder, and the statement sent twice.
      expect(eventsOf(j.dir, 'migration.retry')).toMatchObject([
        { name: '2_alter', index: 1, attempt: 1, of: 1, reason: 'lock-timeout', blockingPids: [holderPid] },
      ]);
      expect(eventsOf<{ name: string }>(j.dir, 'migration.statement').filter((e) => e.name === '2_alter')).toHaveLength(
        2,
      );
      await holder.query('ROLLBACK');
      expect(
        await query(db.url, `SELECT 1 FROM information_schema.columns WHERE table_name = 't' AND column_name = 'note'`),
      ).toEqual([]);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied', 'pending']);
    } finally {
      await holder.end();
      await db.drop();
    }
  });

  it('retries the blocked migration from its BEGIN and succeeds once the blocker is gone', async () => {
    const db = await freshDatabase('retry');
    const j = journalFolder();
    // Statement 2 rewrites nothing but needs ACCESS EXCLUSIVE on an existing table: it runs alone, between two cheap ones.
    const dir = makeMigrations({
      '1_t': 'CREATE TABLE t (id int);',
      '2_alter':
        'CREATE TABLE side (id int);\nALTER TABLE t ADD COLUMN note text, ALTER COLUMN id SET NOT NULL;\nCREATE TABLE after_alter (id int);',
    });
    const holder = await client(db.url);
    try {
      expect(
        (await cli(['run', '--yes', '--to', '1_t', '--database-url', db.url, '--migrations', dir], { env: j.env }))
          .exitCode,
      ).toBe(0);
      await holder.query('BEGIN; SELECT * FROM t;');
      const running = cli(
        [
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
          '5',
        ],
        { env: j.env },
      );
      await waitUntil(
        'a retry of the blocked statement',
        async () => eventsOf(j.dir, 'migration.retry').length > 0,
        15_000,
      );
      await holder.query('ROLLBACK');
      const r = await running;
      expect(r.exitCode, r.stderr).toBe(0);
      expect(json(r).migrations[0]).toMatchObject({ name: '2_alter', outcome: 'applied', statements: 3 });
      const retries = eventsOf<{ name: string; index: number; reason: string }>(j.dir, 'migration.retry');
      expect(retries.length).toBeGreaterThanOrEqual(1);
      expect(retries.every((e) => e.name === '2_alter' && e.index === 2 && e.reason === 'lock-timeout')).toBe(true);
      // An atomic migration is retried from its BEGIN (lockPolicy.ts): each attempt sends statements 1
      // and 2 (the lock timeout rolled statement 1 back with it); statement 3 is sent once, at the end.
      const sent = eventsOf<{ name: string; index: number }>(j.dir, 'migration.statement')
        .filter((e) => e.name === '2_alter')
        .map((e) => e.index);
      expect(sent).toEqual([...Array(retries.length).fill([1, 2]).flat(), 1, 2, 3]);
      const cols = await query(
        db.url,
        `SELECT 1 FROM information_schema.columns WHERE table_name = 't' AND column_name = 'note'`,
      );
      expect(cols).toHaveLength(1);
      expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname IN ('side', 'after_alter')`)).toHaveLength(2);
    } finally {
      await holder.end();
      await db.drop();
    }
  });

  it('a non-atomic migration blocked after it committed a statement: retried, then left failed with what was done', async () => {
    const db = await freshDatabase('nonatomic_locks');
    const j = journalFolder();
    const dir = makeMigrations({
      '1_t': 'CREATE TABLE t (id int);\nCREATE TABLE u (id int);',
      '2_index_then_alter':
        'CREATE INDEX CONCURRENTLY u_id_idx ON u (id);\nALTER TABLE t ALTER COLUMN id SET NOT NULL;',
    });
    const holder = await client(db.url);
    try {
      expect(
        (await cli(['run', '--yes', '--to', '1_t', '--database-url', db.url, '--migrations', dir], { env: j.env }))
          .exitCode,
      ).toBe(0);
      await holder.query('BEGIN; SELECT * FROM t;');
      const holderPid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const r = await cli(
        ['run', '--yes', '--database-url', db.url, '--migrations', dir, '--lock-timeout', '1s', '--lock-retries', '1'],
        { env: j.env },
      );
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/retry 1\/1 of statement 2 after a lock timeout/);
      expect(r.stderr).toMatch(new RegExp(`hint: blocked by pid ${holderPid} `));
      expect(eventsOf(j.dir, 'migration.retry')).toMatchObject([
        { name: '2_index_then_alter', index: 2, attempt: 1, of: 1, reason: 'lock-timeout', blockingPids: [holderPid] },
      ]);
      await holder.query('ROLLBACK');
      // The index was committed before the lock timeout: it stays, and the migration is failed (not pending) with that said.
      expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 'u_id_idx'`)).toHaveLength(1);
      const [row] = await query<{ logs: string }>(
        db.url,
        `SELECT logs FROM _prisma_migrations WHERE migration_name = '2_index_then_alter'`,
      );
      expect(row!.logs).toMatch(/55P03/);
      expect(row!.logs).toMatch(/Statements committed before the failure: 1 of 2 \(non-atomic migration\)/);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied', 'failed']);
    } finally {
      await holder.end();
      await db.drop();
    }
  });

  it('cancels a statement that application sessions queue behind (--max-victims) and retries it', async () => {
    const db = await freshDatabase('victims');
    const dir = makeMigrations({
      '1_t': 'CREATE TABLE t (id int);',
      '2_slow': `DO $$ BEGIN LOCK TABLE t IN ACCESS EXCLUSIVE MODE; PERFORM pg_sleep(4); END $$;`,
    });
    const app = await client(db.url);
    try {
      expect((await cli(['run', '--yes', '--to', '1_t', '--database-url', db.url, '--migrations', dir])).exitCode).toBe(
        0,
      );
      const running = cli([
        'run',
        '--yes',
        '--database-url',
        db.url,
        '--migrations',
        dir,
        '--max-victims',
        '1',
        '--max-victim-wait',
        '500ms',
        '--lock-retries',
        '3',
      ]);
      await waitForStatement(db.url, '%pg_sleep%');
      const t0 = Date.now();
      await app.query('SELECT count(*) FROM t'); // queues behind the ACCESS EXCLUSIVE lock
      const appWaitedMs = Date.now() - t0;
      const r = await running;
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/1 session queued behind statement 1/);
      expect(r.stderr).toMatch(/retry 1\/3 of statement 1 after giving way to queued sessions/);
      expect(appWaitedMs).toBeLessThan(3500); // released well before the statement's 4 s
    } finally {
      await app.end();
      await db.drop();
    }
  });

  it("one run at a time: a second run names the holder of Prisma's advisory lock; --wait queues and applies nothing twice", async () => {
    const db = await freshDatabase('twice');
    const j = journalFolder();
    // The first run waits on a lock this test holds, so it is still running whatever the machine's speed.
    await query(db.url, 'CREATE TABLE gate (id int)');
    const dir = makeMigrations({
      '1_slow': 'CREATE TABLE once (id int);\nLOCK TABLE gate IN ACCESS SHARE MODE;',
      '2_b': 'CREATE TABLE b (id int);',
    });
    const gate = await client(db.url);
    try {
      await gate.query('BEGIN; LOCK TABLE gate IN ACCESS EXCLUSIVE MODE');
      const first = cli(
        ['run', '--yes', '--json', '--lock-timeout', '0', '--database-url', db.url, '--migrations', dir],
        { env: j.env },
      );
      await waitForStatement(db.url, '%LOCK TABLE gate%');
      const second = await cli(['run', '--yes', '--database-url', db.url, '--migrations', dir], { env: j.env });
      expect(second.exitCode).toBe(1);
      expect(second.stderr).toMatch(
        /holds Prisma's advisory lock: pid \d+ \(citadel-migrate run \(.*\), user postgres from 127\.0\.0\.1.*pass --wait/,
      );
      const waitingRun = cli(['run', '--yes', '--json', '--wait', '--database-url', db.url, '--migrations', dir], {
        env: j.env,
      });
      await waitForStatement(db.url, '%pg_advisory_lock(%');
      await gate.query('ROLLBACK');
      const r1 = await first;
      const waiting = await waitingRun;
      expect(r1.exitCode, r1.stderr).toBe(0);
      expect(json(r1).migrations.map((m: { name: string; outcome: string }) => [m.name, m.outcome])).toEqual([
        ['1_slow', 'applied'],
        ['2_b', 'applied'],
      ]);
      expect(waiting.exitCode, waiting.stderr).toBe(0);
      expect(json(waiting).migrations).toEqual([]);
      const rows = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM _prisma_migrations`);
      expect(rows[0]!.n).toBe(2);
    } finally {
      await gate.end();
      await db.drop();
    }
  });

  it('refuses while the real prisma migrate deploy is applying a migration, naming its session', {
    timeout: 120_000,
  }, async () => {
    const db = await freshDatabase('deploy');
    // Prisma's migration waits on a lock the test holds: deploy holds its migration lock meanwhile.
    const dir = makeMigrations({
      '1_a': 'SELECT pg_advisory_xact_lock(4242);\nCREATE TABLE a (id int);',
      '2_b': 'CREATE TABLE b (id int);',
    });
    const gate = await client(db.url);
    try {
      await gate.query('SELECT pg_advisory_lock(4242)');
      const deploying = prisma(['migrate', 'deploy'], db.url, dir);
      const holder = await waitUntil(
        'prisma migrate deploy to hold its migration lock and wait in 1_a',
        async () => {
          const rows = await query<{ pid: number }>(
            db.url,
            `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid)
              WHERE l.locktype = 'advisory' AND l.objid = 72707369 AND l.granted
                AND a.wait_event_type = 'Lock' AND a.query LIKE '%pg_advisory_xact_lock(4242)%'`,
          );
          return rows[0]?.pid;
        },
        60_000,
      );
      const r = await cli(['run', '--yes', '--database-url', db.url, '--migrations', dir]);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`pid ${holder} \\([^)]*user postgres`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // nothing of ours ran: 2_b is Prisma's to apply, after 1_a
      expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname IN ('a', 'b')`)).toHaveLength(0);
      await gate.query('SELECT pg_advisory_unlock(4242)');
      const deployed = await deploying;
      expect(deployed.exitCode, deployed.output).toBe(0);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied', 'applied']);
    } finally {
      await gate.end();
      await db.drop();
    }
  });
});

describe('Ctrl-C stops cleanly', () => {
  const interrupt = async (url: string, dir: string) => {
    const child = execa('node', [BIN, 'run', '--yes', '--database-url', url, '--migrations', dir], {
      reject: false,
      stdin: 'ignore',
      env: CLI_ENV,
    });
    await waitForStatement(url, '%pg_sleep%');
    const t0 = Date.now();
    child.kill('SIGINT');
    const r = await child;
    return { ...r, stopMs: Date.now() - t0 };
  };

  it('an atomic migration is rolled back and plainly pending again, for us and for Prisma', async () => {
    const db = await freshDatabase('sigint');
    // 3_after is already on its way to the server in the same pipeline: it must not run either.
    const dir = makeMigrations({
      '1_a': 'CREATE TABLE kept (id int);',
      '2_slow': 'CREATE TABLE half (id int);\nSELECT pg_sleep(30);',
      '3_after': 'CREATE TABLE after_it (id int);',
    });
    try {
      const r = await interrupt(db.url, dir);
      expect(r.exitCode).toBe(130);
      expect(r.stopMs).toBeLessThan(10_000);
      expect(String(r.stderr)).toMatch(/Interrupted: 1 applied, 0 failed, 2 not run/);
      expect(String(r.stderr)).not.toMatch(/Warning/);
      expect(await query(db.url, `SELECT relname FROM pg_class WHERE relname IN ('kept', 'half', 'after_it')`)).toEqual(
        [{ relname: 'kept' }],
      );
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied', 'pending', 'pending']);
    } finally {
      await db.drop();
    }
  });

  it('a non-atomic migration that committed a statement is left failed, with what was done in logs', async () => {
    const db = await freshDatabase('sigint2');
    const dir = makeMigrations({
      '1_slow': 'CREATE TABLE b (id int);\nCREATE INDEX CONCURRENTLY b_idx ON b (id);\nSELECT pg_sleep(30);',
    });
    try {
      const r = await interrupt(db.url, dir);
      expect(r.exitCode).toBe(130);
      const [row] = await query<{ logs: string }>(
        db.url,
        `SELECT logs FROM _prisma_migrations WHERE migration_name = '1_slow'`,
      );
      expect(row!.logs).toMatch(/interrupted after 2 of 3 statements/);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['failed']);
    } finally {
      await db.drop();
    }
  });
});
