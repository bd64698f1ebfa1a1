import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { freshDatabase, client, query } from '../helpers/db.js';
import { execa } from 'execa';
import { cli, json, BIN, CLI_ENV } from '../helpers/cli.js';
import { waitUntil, pidOf } from '../helpers/wait.js';

// Real sessions on the test server: holders, waiters and the built CLI looking at them.

/** Resolves once the session `pid` waits on a heavyweight lock. */
const waitingOnLock = (url: string, pid: number) =>
  waitUntil(
    `pid ${pid} to wait for a lock`,
    async () =>
      (await query(url, `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [pid])).length >
      0,
  );

const alive = async (url: string, pid: number) =>
  (await query(url, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length > 0;

describe('locks and kill on real sessions', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const open: pg.Client[] = [];
  const session = async (app: string) => {
    const c = await client(db.url);
    open.push(c);
    await c.query(`SET application_name = '${app}'`);
    return c;
  };
  const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-journal-'));
  const run = (args: string[]) =>
    cli([...args, '--database-url', db.url], { env: { CITADEL_JOURNAL_DIR: journalDir } });

  beforeAll(async () => {
    db = await freshDatabase('locks');
    await query(
      db.url,
      `CREATE TABLE users (id int PRIMARY KEY, email text); INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 100) g;
                         CREATE TABLE a (id int); CREATE TABLE b (id int)`,
    );
  });
  afterAll(async () => {
    for (const c of open) await c.end().catch(() => undefined);
    await db.drop();
  });

  it('names the idle-in-transaction holder of an ALTER TABLE, and kill --terminate lets the ALTER complete', async () => {
    const holder = await session('worker');
    const holderPid = await pidOf(holder);
    await holder.query('BEGIN');
    await holder.query('SELECT count(*) FROM users');
    const alter = await session('migrate');
    const alterPid = await pidOf(alter);
    const altered = alter.query('ALTER TABLE users ADD COLUMN note text');
    await waitingOnLock(db.url, alterPid);

    const r = await run(['locks', '--json']);
    expect(r.exitCode).toBe(0);
    const doc = json(r);
    const wait = doc.waits.find((w: any) => w.pid === alterPid);
    expect(wait).toMatchObject({
      blockingPids: [holderPid],
      mode: 'AccessExclusiveLock',
      relation: 'users',
      application: 'migrate',
      user: 'postgres',
    });
    expect(wait.waitingMs).toBeGreaterThanOrEqual(0);
    expect(wait.query).toContain('ALTER TABLE users');
    const blocker = doc.blockers.find((b: any) => b.pid === holderPid);
    expect(blocker).toMatchObject({
      state: 'idle in transaction',
      application: 'worker',
      heldModes: ['AccessShareLock'],
    });

    const text = await run(['locks']);
    expect(text.exitCode).toBe(0);
    const lines = text.stdout.split('\n');
    const holderLine = lines.findIndex((l) => l.startsWith(`${holderPid} `));
    const waiterLine = lines.findIndex((l) => l.includes(`└─ ${alterPid} `));
    expect(holderLine).toBeGreaterThan(-1);
    expect(waiterLine).toBeGreaterThan(holderLine);
    expect(lines[holderLine]).toContain('IDLE IN TRANSACTION');
    expect(lines[waiterLine]).toContain('AccessExclusiveLock on users');

    const k = await run(['kill', String(holderPid), '--terminate', '--yes']);
    expect(k.stderr).toBe('');
    expect(k.exitCode).toBe(0);
    expect(k.stdout).toContain('IDLE IN TRANSACTION');
    expect(k.stdout).toMatch(/Terminated session \d+: it is gone/);
    await altered;
    expect(
      await query(
        db.url,
        `SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'note'`,
      ),
    ).toHaveLength(1);
    expect(await alive(db.url, holderPid)).toBe(false);

    // Journalled: the intent before, the result after.
    const file = readdirSync(journalDir).find((f) => f.endsWith('.jsonl'))!;
    const entries = readFileSync(path.join(journalDir, file), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.action === 'kill');
    expect(entries.map((e) => e.phase)).toEqual(['begin', 'end']);
    expect(entries[0].details).toMatchObject({ pid: holderPid, how: 'terminate', session: { application: 'worker' } });
    expect(entries[1].result).toMatchObject({ result: 'terminated', ok: true });
  });

  it('shows a chain A blocks B blocks C as a tree', async () => {
    const A = await session('chain-a');
    const B = await session('chain-b');
    const C = await session('chain-c');
    const [pa, pb, pc] = [await pidOf(A), await pidOf(B), await pidOf(C)];
    await A.query('BEGIN; LOCK TABLE a IN ACCESS EXCLUSIVE MODE');
    const bDone = B.query('BEGIN; LOCK TABLE b IN ACCESS EXCLUSIVE MODE; SELECT count(*) FROM a').catch(
      () => undefined,
    );
    await waitingOnLock(db.url, pb);
    const cDone = C.query('SELECT count(*) FROM b').catch(() => undefined);
    await waitingOnLock(db.url, pc);

    const doc = json(await run(['locks', '--json']));
    expect(doc.waits.find((w: any) => w.pid === pb)).toMatchObject({
      blockingPids: [pa],
      relation: 'a',
      mode: 'AccessShareLock',
    });
    expect(doc.waits.find((w: any) => w.pid === pc)).toMatchObject({ blockingPids: [pb], relation: 'b' });
    expect(doc.blockers.find((b: any) => b.pid === pb)).toMatchObject({
      blockingPids: [pa],
      heldModes: ['AccessExclusiveLock'],
    });

    const lines = (await run(['locks'])).stdout.split('\n');
    const ia = lines.findIndex((l) => l.startsWith(`${pa} `));
    const ib = lines.findIndex((l) => l.startsWith(`└─ ${pb} `));
    const ic = lines.findIndex((l) => l.startsWith(`   └─ ${pc} `));
    expect(ia).toBeGreaterThan(-1);
    expect(ib).toBeGreaterThan(ia);
    expect(ic).toBeGreaterThan(ib);

    await A.query('ROLLBACK');
    await bDone;
    await B.query('ROLLBACK');
    await cDone;
  });

  it("shows a row-lock wait (an UPDATE behind another transaction's UPDATE of the same row) with its blocker", async () => {
    const A = await session('row-a');
    const B = await session('row-b');
    const C = await session('row-c');
    const [pa, pb, pc] = [await pidOf(A), await pidOf(B), await pidOf(C)];
    await A.query(`BEGIN; UPDATE users SET email = 'a' WHERE id = 7`);
    const bDone = B.query(`UPDATE users SET email = 'b' WHERE id = 7`).catch(() => undefined);
    await waitingOnLock(db.url, pb);
    const cDone = C.query(`UPDATE users SET email = 'c' WHERE id = 7`).catch(() => undefined);
    await waitingOnLock(db.url, pc);

    // B waits on A's transaction id (the row A updated); C waits on the row's tuple lock, which B holds.
    const doc = json(await run(['locks', '--json']));
    const xid = (
      await query<{ x: string }>(
        db.url,
        `SELECT transactionid::text AS x FROM pg_locks WHERE pid = $1 AND locktype = 'transactionid' AND granted`,
        [pa],
      )
    )[0]!.x;
    expect(doc.waits.find((w: any) => w.pid === pb)).toMatchObject({
      blockingPids: [pa],
      lockType: 'transactionid',
      mode: 'ShareLock',
      relation: 'users',
      object: `a row of users (transaction ${xid})`,
      application: 'row-b',
    });
    expect(doc.waits.find((w: any) => w.pid === pc)).toMatchObject({
      blockingPids: [pb],
      lockType: 'tuple',
      mode: 'ExclusiveLock',
      relation: 'users',
      object: 'a row of users',
    });
    expect(doc.blockers.find((b: any) => b.pid === pa)).toMatchObject({
      blockingPids: [],
      state: 'idle in transaction',
      application: 'row-a',
      query: `BEGIN; UPDATE users SET email = 'a' WHERE id = 7`,
    });

    const lines = (await run(['locks'])).stdout.split('\n');
    const ia = lines.findIndex((l) => l.startsWith(`${pa} `));
    expect(lines[ia]).toMatch(
      new RegExp(`holds ExclusiveLock on a row of users \\(transaction ${xid}\\)  ! IDLE IN TRANSACTION`),
    );
    const ib = lines.findIndex((l) => l.startsWith(`└─ ${pb} `));
    expect(lines[ib]).toContain(`waits`);
    expect(lines[ib]).toContain(`for ShareLock on a row of users (transaction ${xid})`);
    const ic = lines.findIndex((l) => l.startsWith(`   └─ ${pc} `));
    expect(lines[ic]).toContain('for ExclusiveLock on a row of users');
    expect(ia).toBeGreaterThan(-1);
    expect(ib).toBeGreaterThan(ia);
    expect(ic).toBeGreaterThan(ib);

    // Terminating the idle holder lets B, then C, update the row.
    const k = await run(['kill', String(pa), '--terminate', '--yes']);
    expect(k.exitCode, k.stderr).toBe(0);
    await bDone;
    await cDone;
    expect(await query(db.url, 'SELECT email FROM users WHERE id = 7')).toEqual([{ email: 'c' }]);
  });

  it("shows who holds Prisma's advisory lock to a second deploy waiting for it", async () => {
    const first = await session('prisma-migrate-1');
    const second = await session('prisma-migrate-2');
    const [p1, p2] = [await pidOf(first), await pidOf(second)];
    await first.query('SELECT pg_advisory_lock(72707369)');
    const got = second.query('SELECT pg_advisory_lock(72707369)');
    await waitingOnLock(db.url, p2);

    const doc = json(await run(['locks', '--json']));
    const w = doc.waits.find((x: any) => x.pid === p2);
    expect(w).toMatchObject({ blockingPids: [p1], lockType: 'advisory', mode: 'ExclusiveLock', relation: null });
    expect(w.object).toBe('advisory lock 72707369 (Prisma migrate)');
    expect(doc.blockers.find((b: any) => b.pid === p1)).toMatchObject({
      application: 'prisma-migrate-1',
      state: 'idle',
    });
    expect((await run(['locks'])).stdout).toContain('advisory lock 72707369 (Prisma migrate)');

    await first.query('SELECT pg_advisory_unlock(72707369)');
    await got;
    await second.query('SELECT pg_advisory_unlock(72707369)');
  });

  it('a cancel stops the query only: the session stays, in its aborted transaction; a second cancel has nothing to cancel', async () => {
    const s = await session('sleeper');
    const pid = await pidOf(s);
    await s.query('BEGIN');
    const sleeping = s.query('SELECT pg_sleep(30)').then(
      () => 'finished',
      (e) => (e as { code?: string }).code,
    );
    await waitUntil(
      'the sleep to start',
      async () =>
        (await query(db.url, `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active'`, [pid])).length > 0,
    );

    const r = await run(['kill', String(pid), '--yes', '--json']);
    expect(r.exitCode).toBe(0);
    expect(json(r)).toMatchObject({
      pid,
      action: 'cancel',
      result: 'cancelled',
      ok: true,
      session: { application: 'sleeper', state: 'active' },
    });
    expect(json(r).message).toMatch(/idle in transaction \(aborted\) and keeps its locks/);
    expect(await sleeping).toBe('57014');
    expect(await alive(db.url, pid)).toBe(true);

    const again = await run(['kill', String(pid), '--yes']);
    expect(again.exitCode).toBe(1);
    expect(again.stdout).toMatch(
      /runs no query to cancel.*only terminating the session releases them.*kill \d+ --terminate/s,
    );
    expect(await alive(db.url, pid)).toBe(true);
    await s.query('ROLLBACK');
  });

  it('refuses without a terminal unless --yes, and refuses what is not a client session of this database', async () => {
    const victim = await session('victim');
    const pid = await pidOf(victim);
    await victim.query('BEGIN; SELECT 1');

    const noYes = await run(['kill', String(pid), '--terminate']);
    expect(noYes.exitCode).toBe(2);
    expect(noYes.stderr).toMatch(/--yes/);
    expect(await alive(db.url, pid)).toBe(true);

    const other = await freshDatabase('other');
    const stranger = await client(other.url);
    try {
      const strangerPid = await pidOf(stranger);
      const r = await run(['kill', String(strangerPid), '--terminate', '--yes']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`connected to database "${other.name}"`);
      expect(await alive(db.url, strangerPid)).toBe(true);
    } finally {
      await stranger.end();
      await other.drop();
    }

    const [bg] = await query<{ pid: number; backend_type: string }>(
      db.url,
      `SELECT pid, backend_type FROM pg_stat_activity WHERE backend_type = 'checkpointer'`,
    );
    const r = await run(['kill', String(bg!.pid), '--terminate', '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('not a client session');

    expect((await run(['kill', '999999', '--yes'])).stderr).toMatch(/No session with pid 999999/);
    const bad = await run(['kill', 'abc', '--yes']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/not a backend pid/);
    await victim.query('ROLLBACK');
  });

  it('locks --watch refreshes until Ctrl-C, then exits 0', async () => {
    const child = execa('node', [BIN, 'locks', '--watch', '--refresh', '0.3', '--database-url', db.url], {
      reject: false,
      stdin: 'ignore',
      env: CLI_ENV,
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    const frames = () => out.split('citadel-migrate locks ·').length - 1;
    const deadline = Date.now() + 10_000;
    while (frames() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const r = await child;
    expect(frames()).toBeGreaterThanOrEqual(3);
    expect(r.exitCode).toBe(0);
    expect(out).toContain('No session is waiting for a lock');
  });

  it('locks says plainly when nobody waits, and --json --watch is refused', async () => {
    const r = await run(['locks']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/No session is waiting for a lock/);
    expect(json(await run(['locks', '--json']))).toEqual({
      waits: [],
      blockers: [],
      // no standby and no slot on the test server; archiving off
      replication: { inRecovery: false, standbys: [], slots: [] },
      wal: { bytesPerSecond: expect.any(Number), archiveBacklogSegments: null },
    });
    expect((await run(['locks', '--json', '--watch'])).exitCode).toBe(2);
  });
});
