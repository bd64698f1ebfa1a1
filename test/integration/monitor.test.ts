import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import net from 'node:net';
import { statfsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { freshDatabase, client, query, adminUrl } from '../helpers/db.js';
import { parseTarget } from '../../src/postgres/target.js';
import { Monitor, type MonitorSnapshot } from '../../src/monitor/monitor.js';
import { connect } from '../../src/postgres/connect.js';
import { findBackend, refusal } from '../../src/monitor/signal.js';
import { EventStream, now } from '../../src/engine/events.js';
import { waitUntil, pidOf } from '../helpers/wait.js';

describe('the monitor on a real server', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const open: pg.Client[] = [];
  const session = async () => {
    const c = await client(db.url);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    db = await freshDatabase('monitor');
    await query(
      db.url,
      `CREATE TABLE users (id int PRIMARY KEY, email text);
                         INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 2000) g;
                         CREATE TABLE orders (id int PRIMARY KEY, note text);
                         INSERT INTO orders SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g`,
    );
  });
  afterAll(async () => {
    for (const c of open) await c.end().catch(() => undefined);
    await db.drop();
  });

  it('never queues behind an ALTER TABLE waiting for ACCESS EXCLUSIVE: a refresh returns in time and sizes skip the locked table', async () => {
    const holder = await session();
    await holder.query('BEGIN; SELECT count(*) FROM users');
    const alter = await session();
    const alterPid = await pidOf(alter);
    const altered = alter.query('ALTER TABLE users ADD COLUMN nickname text');
    await waitUntil(
      'the ALTER to wait',
      async () =>
        (await query(db.url, `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [alterPid]))
          .length > 0,
    );

    // The naive size query a DBA would type queues behind the ALTER: this is what the monitor avoids.
    const naive = await session();
    await naive.query(`SET statement_timeout = '300ms'`);
    await expect(naive.query(`SELECT pg_total_relation_size('users')`)).rejects.toMatchObject({ code: '57014' });

    const monitor = new Monitor(parseTarget(db.url), { refreshMs: 1000 });
    try {
      const t0 = performance.now();
      const snap = await monitor.refresh();
      const sizes = await monitor.refreshSizes();
      const elapsed = performance.now() - t0;
      expect(snap.stale).toBe(false);
      expect(elapsed).toBeLessThan(1500);
      expect(snap.locks.sessions.find((s) => s.pid === alterPid)?.wanted).toMatchObject({
        mode: 'AccessExclusiveLock',
        relation: 'users',
      });
      expect(sizes.sizes.error).toBeNull();
      expect(sizes.sizes.databaseBytes).toBeGreaterThan(0);
      const names = sizes.sizes.largest.map((r) => r.name);
      expect(names).toContain('orders');
      expect(names).not.toContain('users');
      // Nothing of ours joined the lock queue.
      const ours = await query(
        db.url,
        `SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'citadel-migrate monitor%' AND wait_event_type = 'Lock'`,
      );
      expect(ours).toEqual([]);
      expect(snap.connections.total).toBeGreaterThanOrEqual(3);
      expect(snap.connections.max).toBeGreaterThan(0);
    } finally {
      await monitor.stop();
    }
    await holder.query('ROLLBACK');
    await altered;
  });

  it('shows an index build rising, with its phase', async () => {
    await query(
      db.url,
      `CREATE TABLE big (id int, h text); INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 600000) g`,
    );
    const builder = await session();
    const pid = await pidOf(builder);
    await builder.query('SET max_parallel_maintenance_workers = 0');
    const monitor = new Monitor(parseTarget(db.url), { refreshMs: 1000, sizes: false });
    try {
      const built = builder.query('CREATE INDEX big_h_idx ON big (h, id)');
      let done = false;
      void built.finally(() => (done = true));
      const seen: { percent: number; phase: string }[] = [];
      while (!done) {
        const b = (await monitor.refresh()).indexBuilds.find((x) => x.pid === pid);
        if (b && b.percent !== null) seen.push({ percent: b.percent, phase: b.phase });
        await new Promise((r) => setTimeout(r, 20));
      }
      await built;
      const percents = seen.map((s) => s.percent);
      expect(new Set(percents).size).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1]!);
      expect(percents[percents.length - 1]).toBeGreaterThan(percents[0]!);
      expect(seen.some((s) => s.phase === 'building index: scanning table')).toBe(true);
    } finally {
      await monitor.stop();
    }
  });

  it('names the transaction a CREATE INDEX CONCURRENTLY waits for, in the progress and in the lock tree', async () => {
    const writer = await session();
    const writerPid = await pidOf(writer);
    await writer.query(`BEGIN; INSERT INTO orders VALUES (100001, 'open')`);
    const builder = await session();
    const builderPid = await pidOf(builder);
    const built = builder.query('CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note)');
    const monitor = new Monitor(parseTarget(db.url), { refreshMs: 1000, sizes: false });
    try {
      const snap = await waitUntil('the build to wait for the writer', async () => {
        const s = await monitor.refresh();
        const b = s.indexBuilds.find((x) => x.pid === builderPid);
        return b?.lockers.currentPid === writerPid ? s : undefined;
      });
      const b = snap.indexBuilds.find((x) => x.pid === builderPid)!;
      expect(b).toMatchObject({
        index: 'orders_note_idx',
        relation: 'orders',
        phase: 'waiting for writers before build',
        lockers: { total: 1, done: 0 },
      });
      const waiter = snap.locks.sessions.find((s) => s.pid === builderPid)!;
      expect(waiter.blockingPids).toEqual([writerPid]);
      expect(waiter.wanted).toMatchObject({ lockType: 'virtualxid', mode: 'ShareLock' });
      expect(snap.locks.sessions.find((s) => s.pid === writerPid)?.state).toBe('idle in transaction');
    } finally {
      await monitor.stop();
    }
    await writer.query('COMMIT');
    await built;
  });

  it('says it is stale while the server cannot be reached, and reconnects by itself', async () => {
    // A TCP relay in front of the real server: closing it drops every connection and refuses new ones.
    const server = new URL(db.url);
    const sockets = new Set<net.Socket>();
    const pairs: [net.Socket, net.Socket][] = [];
    const relay = net.createServer((inbound) => {
      const outbound = net.connect(Number(server.port), server.hostname);
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      pairs.push([inbound, outbound]);
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const port = (relay.address() as net.AddressInfo).port;
    const relayed = new URL(db.url);
    relayed.port = String(port);
    const monitor = new Monitor(parseTarget(relayed.toString()), { refreshMs: 500, sizes: false });
    try {
      expect((await monitor.refresh()).stale).toBe(false);

      // A link that goes silent (no reset, no answer, as when a route disappears): given up in time.
      for (const [i, o] of pairs) {
        i.unpipe(o);
        o.unpipe(i);
        i.pause();
        o.pause();
      }
      const t0 = performance.now();
      const silent = await monitor.refresh();
      expect(silent.stale).toBe(true);
      expect(performance.now() - t0).toBeLessThan(2500);
      expect(silent.error).toMatch(/did not answer/);
      const before = (await monitor.refresh()).at;
      expect(before).not.toBe(silent.at);

      const closed = new Promise<void>((r) => relay.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
      const down = await monitor.refresh();
      expect(down.stale).toBe(true);
      expect(down.error).toBeTruthy();
      expect(down.at).toBe(before);
      const again = await monitor.refresh();
      expect(again.stale).toBe(true);
      expect(again.staleSince).toBe(down.staleSince);

      await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
      const up = await monitor.refresh();
      expect(up.stale).toBe(false);
      expect(up.error).toBeNull();
      expect(up.at).not.toBe(before);

      // A terminated backend (what a server restart does to its clients) is replaced at the next refresh.
      const [mine] = await query<{ pid: number }>(
        db.url,
        `SELECT pid FROM pg_stat_activity WHERE application_name = 'citadel-migrate monitor' AND datname = current_database()`,
      );
      await query(db.url, 'SELECT pg_terminate_backend($1)', [mine!.pid]);
      await waitUntil('a fresh refresh after the backend was terminated', async () => {
        const s = await monitor.refresh();
        return !s.stale && s.at !== up.at;
      });
    } finally {
      await monitor.stop();
      relay.close();
      for (const s of sockets) s.destroy();
    }
  });

  it('polls on its own, pauses while a dialog is open, and follows the engine events for statement i of n', async () => {
    const events = new EventStream();
    const monitor = new Monitor(parseTarget(db.url), { refreshMs: 200, sizes: false });
    const seen: string[] = [];
    monitor.follow(events);
    monitor.start((s) => seen.push(s.at ?? ''));
    try {
      await waitUntil('two refreshes', async () => seen.length >= 2);
      monitor.pause();
      await new Promise((r) => setTimeout(r, 250));
      const during = seen.length;
      await new Promise((r) => setTimeout(r, 500));
      expect(seen.length).toBe(during);
      monitor.resume();
      await waitUntil('a refresh after resume', async () => seen.length > during);

      events.emit({
        type: 'migration-start',
        at: now(),
        name: '20250101_add_users',
        index: 2,
        count: 7,
        statements: 5,
        atomic: true,
      });
      events.emit({
        type: 'statement-start',
        at: now(),
        name: '20250101_add_users',
        index: 1,
        count: 5,
        line: 1,
        sql: 'CREATE TABLE x (id int)',
        pid: 1,
      });
      events.emit({ type: 'statement-end', at: now(), name: '20250101_add_users', index: 1, count: 5, durationMs: 3 });
      events.emit({
        type: 'statement-start',
        at: now(),
        name: '20250101_add_users',
        index: 2,
        count: 5,
        line: 3,
        sql: 'CREATE INDEX ON x (id)',
        pid: 1,
      });
      expect(monitor.snapshot().migration).toMatchObject({
        name: '20250101_add_users',
        index: 2,
        count: 7,
        percent: 20,
        statement: { index: 2, count: 5, sql: 'CREATE INDEX ON x (id)' },
      });
      events.emit({ type: 'migration-end', at: now(), name: '20250101_add_users', outcome: 'applied', durationMs: 10 });
      expect(monitor.snapshot().migration).toBeNull();
    } finally {
      await monitor.stop();
    }
  });

  it('knows the disk only where it can prove the server is local, and never guesses', async () => {
    const monitor = new Monitor(parseTarget(db.url), { refreshMs: 1000 });
    try {
      const snap = await monitor.refresh();
      if (!snap.disk.known) throw new Error(`disk unknown: ${snap.disk.reason}`);
      const fs = statfsSync(snap.disk.path);
      expect(snap.disk.totalBytes).toBe(fs.blocks * fs.bsize);
      expect(Math.abs(snap.disk.freeBytes - fs.bavail * fs.bsize)).toBeLessThan(512 * 1024 * 1024);
      expect(snap.disk.evidence).toMatch(/postmaster.pid/);
      const sizes = await monitor.refreshSizes();
      expect(sizes.sizes.walBytes).toBeGreaterThan(0);
    } finally {
      await monitor.stop();
    }

    // A role that may not see data_directory nor list pg_wal: unknown, with the reason.
    const role = `mon_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(8).toString('hex');
    await query(adminUrl(), `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    const url = new URL(db.url);
    url.username = role;
    url.password = password;
    const weak = new Monitor(parseTarget(url.toString()), { refreshMs: 1000 });
    try {
      const snap = await weak.refresh();
      expect(snap.stale).toBe(false);
      expect(snap.disk).toMatchObject({ known: false });
      expect(!snap.disk.known && snap.disk.reason).toMatch(/data_directory/);
      const sizes = await weak.refreshSizes();
      expect(sizes.sizes.walBytes).toBeNull();
      expect(sizes.sizes.walNote).toMatch(/pg_monitor/);
    } finally {
      await weak.stop();
      await query(adminUrl(), `DROP ROLE ${role}`);
    }
  });

  it('reads, refresh after refresh, who waits for whom (table, row and Prisma lock), who holds the migration lock and which sessions hold tables in an idle or old transaction', async () => {
    await query(
      db.url,
      'CREATE TABLE accounts (id int PRIMARY KEY, note text); INSERT INTO accounts SELECT g, NULL FROM generate_series(1, 10) g; CREATE TABLE ledger (id int)',
    );
    // an old transaction: active (sleeping, not waiting for its client) and holding a table
    const old = await session();
    const oldPid = await pidOf(old);
    const oldSince = Date.now();
    const oldDone = old.query('BEGIN; SELECT count(*) FROM ledger; SELECT pg_sleep(60)').catch(() => undefined);
    // a table wait behind an idle-in-transaction holder
    const tableHolder = await session();
    const tableHolderPid = await pidOf(tableHolder);
    await tableHolder.query('BEGIN; LOCK TABLE users IN SHARE MODE');
    const tableWaiter = await session();
    const tableWaiterPid = await pidOf(tableWaiter);
    const tableWaited = tableWaiter.query('UPDATE users SET email = email WHERE id = 1');
    // a row wait
    const rowHolder = await session();
    const rowHolderPid = await pidOf(rowHolder);
    await rowHolder.query(`BEGIN; UPDATE accounts SET note = 'a' WHERE id = 1`);
    const rowWaiter = await session();
    const rowWaiterPid = await pidOf(rowWaiter);
    const rowWaited = rowWaiter.query(`UPDATE accounts SET note = 'b' WHERE id = 1`);
    // a run in progress (Prisma's lock, held outside any transaction) and a second deploy behind it
    const runner = await session();
    const runnerPid = await pidOf(runner);
    await runner.query('SELECT pg_advisory_lock(72707369)');
    const second = await session();
    const secondPid = await pidOf(second);
    const secondWaited = second.query('SELECT pg_advisory_lock(72707369)');
    await waitUntil(
      'the three waits',
      async () =>
        (
          await query(db.url, `SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1) AND wait_event_type = 'Lock'`, [
            [tableWaiterPid, rowWaiterPid, secondPid],
          ])
        ).length === 3,
    );

    const monitor = new Monitor(parseTarget(db.url), { refreshMs: 1000, sizes: false });
    try {
      const waits = (s: MonitorSnapshot) =>
        s.locks.sessions.map((x) => ({
          pid: x.pid,
          blockingPids: x.blockingPids,
          wanted: x.wanted && {
            lockType: x.wanted.lockType,
            mode: x.wanted.mode,
            relation: x.wanted.relation,
            object: x.wanted.object,
          },
        }));
      const holders = (s: MonitorSnapshot) =>
        s.tableLockHolders.map((h) => ({ pid: h.pid, state: h.state, locks: h.locks }));
      for (const snap of [await monitor.refresh(), await monitor.refresh(), await monitor.refresh()]) {
        expect(snap).toMatchObject({ stale: false, error: null });
        expect(waits(snap)).toEqual(
          [
            { pid: tableHolderPid, blockingPids: [], wanted: null },
            {
              pid: tableWaiterPid,
              blockingPids: [tableHolderPid],
              wanted: { lockType: 'relation', mode: 'RowExclusiveLock', relation: 'users', object: 'users' },
            },
            { pid: rowHolderPid, blockingPids: [], wanted: null },
            {
              pid: rowWaiterPid,
              blockingPids: [rowHolderPid],
              wanted: {
                lockType: 'transactionid',
                mode: 'ShareLock',
                relation: 'accounts',
                object: expect.any(String),
              },
            },
            { pid: runnerPid, blockingPids: [], wanted: null },
            {
              pid: secondPid,
              blockingPids: [runnerPid],
              wanted: {
                lockType: 'advisory',
                mode: 'ExclusiveLock',
                relation: null,
                object: 'advisory lock 72707369 (Prisma migrate)',
              },
            },
          ].sort((a, b) => a.pid - b.pid),
        );
        expect(snap.locks.sessions.find((x) => x.pid === tableHolderPid)).toMatchObject({
          state: 'idle in transaction',
          heldModes: ['ShareLock'],
        });
        expect(snap.migrationLock.map((m) => ({ pid: m.pid, granted: m.granted, state: m.state }))).toEqual([
          { pid: runnerPid, granted: true, state: 'idle' },
          { pid: secondPid, granted: false, state: 'active' },
        ]);
        if (Date.now() - oldSince < 9000) {
          // young active transactions (the sleeper, the waiters) do not count yet
          expect(holders(snap)).toEqual(
            [
              { pid: tableHolderPid, state: 'idle in transaction', locks: [{ relation: 'users', mode: 'ShareLock' }] },
              {
                pid: rowHolderPid,
                state: 'idle in transaction',
                locks: [
                  { relation: 'accounts', mode: 'RowExclusiveLock' },
                  { relation: 'accounts_pkey', mode: 'RowExclusiveLock' },
                ],
              },
            ].sort((a, b) => a.pid - b.pid),
          );
        }
      }
      // 10 s into its transaction, the sleeper counts, active as it is, and so does the row waiter,
      // which holds its table while it waits for the row
      await new Promise((r) => setTimeout(r, Math.max(0, 10_500 - (Date.now() - oldSince))));
      const later = holders(await monitor.refresh());
      expect(later.map((h) => h.pid).sort((a, b) => a - b)).toEqual(
        [oldPid, tableHolderPid, rowHolderPid, rowWaiterPid].sort((a, b) => a - b),
      );
      expect(later.find((h) => h.pid === oldPid)).toEqual({
        pid: oldPid,
        state: 'active',
        locks: [{ relation: 'ledger', mode: 'AccessShareLock' }],
      });
    } finally {
      await monitor.stop();
      await query(db.url, 'SELECT pg_cancel_backend($1)', [oldPid]);
      await Promise.all([
        tableHolder.query('ROLLBACK'),
        rowHolder.query('ROLLBACK'),
        runner.query('SELECT pg_advisory_unlock_all()'),
      ]);
      await Promise.all([oldDone, tableWaited, rowWaited, secondWaited]);
      await Promise.all([old.query('ROLLBACK'), second.query('SELECT pg_advisory_unlock_all()')]);
    }
  });

  it("refuses to signal the caller's own session", async () => {
    const db2 = await connect(parseTarget(db.url));
    try {
      const own = await pidOf(db2);
      expect(refusal(own, await findBackend(db2, own), db.name)).toMatch(/own session/);
    } finally {
      await db2.end();
    }
  });
});
