// A real PgBouncer between the console and the sandbox: Prisma's session lock cannot be held through
// transaction pooling, so run refuses there before taking it; session pooling works. The monitor
// works through either: its prepared statements, lost between transactions, give way to whole queries.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type pg from 'pg';
import { client, freshDatabase, query } from '../helpers/db.js';
import { pidOf, waitUntil } from '../helpers/wait.js';
import { Monitor, type MonitorSnapshot } from '../../src/monitor/monitor.js';
import { MonitorConnection } from '../../src/monitor/connection.js';
import { sqlFile } from '../../src/postgres/sqlFiles.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { freePort, startPgBouncer, type Bouncer } from '../helpers/pgbouncer.js';
import { makeProject, SCHEMA_WITH_DIRECT_URL, TWO_MIGRATIONS } from '../helpers/project.js';
import { parseTarget } from '../../src/postgres/target.js';
import { connect } from '../../src/postgres/connect.js';
import { detectPooler, knownPooler } from '../../src/postgres/pooler.js';

const advisoryLocks = async (url: string) =>
  Number(
    (
      await query<{ n: number }>(
        url,
        "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()",
      )
    )[0]!.n,
  );
const hasHistory = async (url: string) =>
  (await query<{ t: string | null }>(url, "SELECT to_regclass('_prisma_migrations')::text AS t"))[0]!.t !== null;

async function modeOf(url: string) {
  const target = parseTarget(url);
  const db = await connect(target);
  try {
    return (await detectPooler(target, db)).mode;
  } finally {
    await db.end();
  }
}

describe('connection poolers', () => {
  let transaction: Bouncer;
  let session: Bouncer;
  let statement: Bouncer;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const folder = makeMigrations({
    '1_accounts': 'CREATE TABLE accounts (id int PRIMARY KEY);',
    '2_name': 'ALTER TABLE accounts ADD COLUMN name text;',
  });
  beforeAll(async () => {
    [transaction, session, statement, db] = await Promise.all([
      startPgBouncer('transaction'),
      startPgBouncer('session'),
      startPgBouncer('statement'),
      freshDatabase('pooler'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([transaction?.stop(), session?.stop(), statement?.stop()]);
    await db?.drop();
  });

  it('tells a direct connection from PgBouncer in session, transaction and statement mode', async () => {
    expect(await modeOf(db.url)).toBe('none');
    expect(await modeOf(session.url(db.name))).toBe('session');
    expect(await modeOf(transaction.url(db.name))).toBe('transaction');
    expect(await modeOf(statement.url(db.name))).toBe('statement');
    // with several idle server connections in the pool (a busy application), the answer holds
    await Promise.all([1, 2, 3, 4].map(() => query(transaction.url(db.name), 'SELECT pg_sleep(0.05)')));
    await Promise.all([1, 2, 3].map(() => query(session.url(db.name), 'SELECT pg_sleep(0.05)')));
    for (let i = 0; i < 5; i++) {
      expect(await modeOf(transaction.url(db.name))).toBe('transaction');
      expect(await modeOf(session.url(db.name))).toBe('session');
    }
    expect(knownPooler(parseTarget('postgresql://u@aws-0-eu-central-1.pooler.supabase.com:6543/postgres'))?.mode).toBe(
      'transaction',
    );
    expect(knownPooler(parseTarget('postgresql://u@aws-0-eu-central-1.pooler.supabase.com:5432/postgres'))?.mode).toBe(
      'session',
    );
    expect(
      knownPooler(parseTarget('postgresql://u@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/neondb'))?.mode,
    ).toBe('transaction');
    expect(
      knownPooler(parseTarget('postgresql://u@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb')),
    ).toBeUndefined();
  });

  it('run through transaction pooling is refused before the lock: nothing written, no advisory lock anywhere', async () => {
    const r = await cli(['run', '--yes', '--json', '--database-url', transaction.url(db.name), '--migrations', folder]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(
      /^Refusing to migrate through the transaction-mode connection pooler at 127\.0\.0\.1:\d+ \(.*\): Prisma's migration lock belongs to a database session, which such a pooler hands to other clients between transactions, so connect to PostgreSQL directly .*\.$/,
    );
    expect(await hasHistory(db.url)).toBe(false);
    expect(await advisoryLocks(db.url)).toBe(0);

    // status still works, and warns
    const s = await cli(['status', '--json', '--database-url', transaction.url(db.name), '--migrations', folder]);
    expect(s.exitCode, s.stderr).toBe(1); // pending, as prisma migrate status
    expect(json(s).migrations.map((m: any) => m.state)).toEqual(['pending', 'pending']);
    expect(json(s).warnings).toEqual([
      expect.stringMatching(
        /^Warning: `run`, `skip` and `rollback` will refuse to migrate through the transaction-mode connection pooler/,
      ),
    ]);
    const l = await cli(['locks', '--json', '--database-url', transaction.url(db.name)]);
    expect(l.exitCode, l.stderr).toBe(0);
    expect(json(l).waits).toEqual([]);
    expect(l.stderr).toMatch(
      /^Warning: `run`, `skip` and `rollback` will refuse to migrate through the transaction-mode connection pooler/,
    );
  });

  it("in a project with a directUrl, the refusal names the schema's direct URL variable", async () => {
    const project = makeProject({
      'prisma/schema.prisma': SCHEMA_WITH_DIRECT_URL,
      ...TWO_MIGRATIONS,
      '.env': `DIRECT_URL="${db.url}"\n`,
    });
    const r = await cli(['run', '--yes', '--database-url', transaction.url(db.name)], { cwd: project });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /so use the direct URL in DIRECT_URL \(the schema's directUrl\), or pass it as --database-url\./,
    );
    expect(await hasHistory(db.url)).toBe(false);
    expect(await advisoryLocks(db.url)).toBe(0);
  });

  it('run through session pooling works, and leaves no lock behind', async () => {
    const r = await cli(['run', '--yes', '--json', '--database-url', session.url(db.name), '--migrations', folder]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(json(r).migrations.map((m: any) => m.outcome)).toEqual(['applied', 'applied']);
    expect(
      await query(db.url, 'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1'),
    ).toEqual([{ migration_name: '1_accounts' }, { migration_name: '2_name' }]);
    expect(await advisoryLocks(db.url)).toBe(0);
  });

  // The pid a session pooler announces is its own: asked about it, the server lists no such backend,
  // which must not read as "the backend is gone, the answer lost" (lostAnswer.ts).
  it('a statement running past the answer deadline through session pooling is not abandoned', async () => {
    const own = await freshDatabase('poolslow');
    try {
      const slow = makeMigrations({ '1_slow': 'SELECT pg_sleep(3);' });
      const r = await cli(['run', '--yes', '--database-url', session.url(own.name), '--migrations', slow], {
        env: { CITADEL_ANSWER_DEADLINE_MS: '1000' },
      });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^1 applied, 0 failed, 0 not run/m);
    } finally {
      await own.drop();
    }
  });

  describe('the monitor through transaction pooling', () => {
    const sessions: pg.Client[] = [];
    const open = async (url: string) => {
      const c = await client(url);
      sessions.push(c);
      return c;
    };
    let holderPid: number;
    let waiterPid: number;
    beforeAll(async () => {
      // A lock wait on the server itself, for the monitor to see through the pooler.
      await query(db.url, 'CREATE TABLE monitored (id int PRIMARY KEY)');
      const holder = await open(db.url);
      holderPid = await pidOf(holder);
      await holder.query('BEGIN; LOCK TABLE monitored IN SHARE MODE');
      const waiter = await open(db.url);
      waiterPid = await pidOf(waiter);
      void waiter.query('INSERT INTO monitored VALUES (1)').catch(() => undefined);
      await waitUntil(
        'the insert to wait',
        async () =>
          (
            await query(db.url, `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [
              waiterPid,
            ])
          ).length > 0,
      );
    });
    afterAll(async () => {
      for (const c of sessions) await c.end().catch(() => undefined);
    });

    // Another client of the pool opens a transaction: PgBouncer lends it the server connection used
    // last, the one the monitor's statements were prepared on, and the monitor's next transaction
    // goes to another one, where they do not exist.
    const takeTheMonitorsServerConnection = async () => {
      const other = await open(transaction.url(db.name));
      await other.query('BEGIN');
      await other.query('SELECT 1');
      return () => other.query('COMMIT');
    };

    it('a monitor session whose prepared statements the pooler lost sends whole queries from then on, with the same rows', async () => {
      const texts = ['lock_waits', 'table_lock_holders', 'migration_lock_sessions'].map(sqlFile);
      const conn = new MonitorConnection(parseTarget(transaction.url(db.name)), {
        applicationName: 'citadel-migrate monitor',
        lockTimeoutMs: 200,
        statementTimeoutMs: 2000,
        connectTimeoutMs: 5000,
      });
      const figures = (results: pg.QueryResult[]) =>
        results.map((r) => r.rows.map((row) => [row.pid, row.blocking_pids ?? row.relations ?? null]));
      try {
        const prepared = await conn.batch(texts);
        expect(conn.batchProtocol).toBe('prepared');
        const expected = [
          [
            [holderPid, []],
            [waiterPid, [holderPid]],
          ],
          [[holderPid, ['monitored']]],
          [],
        ];
        expect(figures(prepared)).toEqual(expected);
        const release = await takeTheMonitorsServerConnection();
        const whole = await conn.batch(texts);
        expect(conn.batchProtocol).toBe('simple');
        expect(figures(whole)).toEqual(expected);
        await release();
        expect(figures(await conn.batch(texts))).toEqual(expected);
      } finally {
        await conn.close();
      }
    });

    it('its lock and statement timeouts hold on whichever server connection the pooler lends it, so a size query never waits in a lock queue without limit', async () => {
      const conn = new MonitorConnection(parseTarget(transaction.url(db.name)), {
        applicationName: 'citadel-migrate monitor',
        lockTimeoutMs: 200,
        statementTimeoutMs: 2000,
        connectTimeoutMs: 5000,
      });
      const probe =
        "SELECT current_setting('lock_timeout') AS lock_timeout, current_setting('statement_timeout') AS statement_timeout, pg_backend_pid() AS pid";
      const ours = { lock_timeout: '200ms', statement_timeout: '2s' };
      try {
        const opened = (await conn.query(probe)).rows[0]; // the session's SETs land on this server connection
        expect(opened).toMatchObject(ours);
        const release = await takeTheMonitorsServerConnection();
        const lent = (await conn.query(probe)).rows[0];
        expect(lent.pid).not.toBe(opened.pid); // another server connection, which never saw the SETs
        expect(lent).toMatchObject(ours);
        // The refresh's batch: prepared on the lent connection, then (statements lost) whole texts.
        expect((await conn.batch([probe]))[0]!.rows[0]).toMatchObject(ours);
        await release();
        expect((await conn.batch([probe]))[0]!.rows[0]).toMatchObject(ours);
        expect((await conn.batch([probe]))[0]!.rows[0]).toMatchObject(ours);
      } finally {
        await conn.close();
      }
    });

    it("a URL that names a hosted transaction pooler (Prisma's pgbouncer=true) gets whole queries from the first refresh", async () => {
      const conn = new MonitorConnection(parseTarget(`${transaction.url(db.name)}?pgbouncer=true`), {
        applicationName: 'citadel-migrate monitor',
        lockTimeoutMs: 200,
        statementTimeoutMs: 2000,
        connectTimeoutMs: 5000,
      });
      try {
        const [waits] = await conn.batch([sqlFile('lock_waits')]);
        expect(conn.batchProtocol).toBe('simple');
        expect(waits!.rows.map((r) => [r.pid, r.blocking_pids])).toEqual([
          [holderPid, []],
          [waiterPid, [holderPid]],
        ]);
      } finally {
        await conn.close();
      }
    });

    it('the monitor keeps its figures fresh through it: no error, never stale, no warning', async () => {
      const monitor = new Monitor(parseTarget(transaction.url(db.name)), { refreshMs: 1000, sizes: false });
      const seen = (s: MonitorSnapshot) => ({
        stale: s.stale,
        error: s.error,
        waits: s.locks.sessions.map((x) => ({
          pid: x.pid,
          blockingPids: x.blockingPids,
          wanted: x.wanted && { mode: x.wanted.mode, relation: x.wanted.relation },
        })),
        holders: s.tableLockHolders.map((h) => ({ pid: h.pid, locks: h.locks })),
      });
      const expected = {
        stale: false,
        error: null,
        waits: [
          { pid: holderPid, blockingPids: [], wanted: null },
          { pid: waiterPid, blockingPids: [holderPid], wanted: { mode: 'RowExclusiveLock', relation: 'monitored' } },
        ].sort((a, b) => a.pid - b.pid),
        holders: [{ pid: holderPid, locks: [{ relation: 'monitored', mode: 'ShareLock' }] }],
      };
      try {
        expect(seen(await monitor.refresh())).toEqual(expected);
        const release = await takeTheMonitorsServerConnection();
        expect(seen(await monitor.refresh())).toEqual(expected);
        await release();
        for (let i = 0; i < 3; i++) expect(seen(await monitor.refresh())).toEqual(expected);
      } finally {
        await monitor.stop();
      }
    });
  });
});

describe('a pooler whose PostgreSQL server is down (issue 26)', () => {
  it('says the pooler answered but its server did not, not "a firewall in between"', async () => {
    const down = await startPgBouncer('transaction', { serverPort: await freePort() });
    try {
      const r = await cli([
        'status',
        '--database-url',
        down.url('app'),
        '--migrations',
        makeMigrations({ '1_a': 'SELECT 1;' }),
      ]);
      expect(r.exitCode).toBe(3);
      expect(r.stderr.trim()).toBe(
        `The server at 127.0.0.1:${down.port} accepted the connection at once, but the login got no reply within the connect timeout: if it is a connection pooler (PgBouncer), the pooler answered but its PostgreSQL server did not (down, or unreachable from the pooler): check the pooler's log and its server.`,
      );
    } finally {
      await down.stop();
    }
  });
});
