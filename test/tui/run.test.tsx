// A run seen from the console: quitting during it asks first and then stops it cleanly; a second
// console on the same database sees who runs and cannot start a run; the refresh pauses while a
// dialog is open. Real database, a migration that takes a few seconds.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { gaugesPane } from '../../src/tui/components/gaugesPane.js';
import type { MonitorSnapshot } from '../../src/monitor/monitor.js';
import { Context } from '../../src/cli/context.js';
import { client, freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { KEY, plain, sleep, waitFor } from './harness.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let migrations: string;
const opened: { controller: ConsoleController; app: ReturnType<typeof render> }[] = [];
const sessions: pg.Client[] = [];

async function openConsole(name: string, size = { columns: 80, rows: 24 }) {
  const ctx = new Context({ databaseUrl: db.url, migrations, journalDir: path.join(work, 'journal') });
  const controller = new ConsoleController({
    ctx,
    mode: 'demo',
    refreshMs: 250,
    backupDir: path.join(work, 'backups'),
  });
  await controller.connect();
  controller.start();
  let quits = 0;
  const app = render(<App model={controller} size={size} onQuit={() => quits++} />);
  opened.push({ controller, app });
  const screen = () => plain(app.lastFrame());
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      app.stdin.write(k);
      await sleep(k === KEY.escape ? 60 : 30);
    }
  };
  const see = (text: string | RegExp, timeoutMs = 15_000) =>
    waitFor(
      () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())),
      () => `${name} to show ${text}\n${screen()}`,
      timeoutMs,
    );
  await see(/· 001_slow/);
  return { controller, app, screen, press, see, quits: () => quits };
}

beforeAll(async () => {
  db = await freshDatabase('tui_run');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-run-'));
  migrations = makeMigrations({
    '001_slow': {
      up: 'CREATE TABLE slow_done (id int);\nSELECT pg_sleep(4);\nINSERT INTO slow_done VALUES (1);\n',
      down: 'DROP TABLE slow_done;',
    },
    '002_next': 'CREATE TABLE next_one (id int);\n',
  });
  await query(db.url, 'CREATE TABLE lockme (id int)');
});

afterAll(async () => {
  for (const o of opened) {
    o.app.unmount();
    await o.controller.close();
  }
  for (const s of sessions) await s.end().catch(() => undefined);
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
  rmSync(migrations, { recursive: true, force: true });
});

describe('a run in the console', () => {
  test('a second console sees the run live, says who runs, and cannot start one; quitting during a run asks, then stops it cleanly', async () => {
    const a = await openConsole('console A');
    const b = await openConsole('console B', { columns: 100, rows: 30 }); // room for what the other run does now

    await a.press('r');
    await a.see('Run 001_slow?', 60_000); // the dialog reads plan first
    await a.press(KEY.tab, KEY.enter);
    await a.see(/▶ 001_slow/);
    await a.see(/stmt 2\/3 SELECT pg_sleep/);

    // B: the run shows as someone else's, and B's run key says who holds the lock.
    await b.see(/▶ pid \d+ runs migrations/);
    await b.see('now: SELECT pg_sleep(4)');
    await b.press('r');
    await b.see(/another run holds the migration lock: pid \d+ \(citadel-migrate run/);

    // A: q asks; Enter keeps the default (Cancel) and the run goes on.
    await a.press('q');
    await a.see('Quit during a run?');
    await a.see('▶[ Cancel ]');
    await a.press(KEY.enter);
    await a.see('cancelled: nothing was done');
    expect(a.quits()).toBe(0);
    expect(a.controller.isRunning()).toBe(true);

    // q again, choose "Stop the run and quit": the statement is cancelled, the migration rolled back, pending again.
    // The quit waits for the run to stop, not for a re-read of the states that nobody will see (issue 25:
    // it was part of the demo's q-to-exit time during a run): re-reads from now on are held until A has quit.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const reread = a.controller.refreshStatus.bind(a.controller);
    a.controller.refreshStatus = () => held.then(reread);
    await a.press('q', KEY.tab, KEY.enter);
    await waitFor(() => a.quits() === 1, 'console A to quit while its status re-reads are held', 15_000).finally(
      release,
    );
    expect(a.controller.isRunning()).toBe(false);
    const rows = await query(
      db.url,
      `SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE migration_name = '001_slow' AND finished_at IS NOT NULL`,
    );
    expect(rows[0]!.n).toBe(0);
    const table = await query(db.url, `SELECT to_regclass('slow_done') IS NULL AS gone`);
    expect(table[0]!.gone).toBe(true);

    // B sees the lock released and the migration still pending.
    await b.see(/· 001_slow/);
    await waitFor(() => !b.screen().includes('runs migrations'), 'B to see the lock released');
  });

  test('the refresh pauses while a dialog is open, so rows do not move under the cursor', async () => {
    const c = await openConsole('console C');
    await c.see('no session waits for a lock');
    await c.press('r');
    await c.see('Run 001_slow?', 60_000);

    const holder = await client(db.url);
    const waiter = await client(db.url);
    sessions.push(holder, waiter);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE lockme IN ACCESS EXCLUSIVE MODE');
    const waiting = waiter.query('SELECT * FROM lockme').catch(() => undefined);
    await sleep(1500); // six refresh intervals
    expect(c.controller.getState().locks.rows).toHaveLength(0);

    await c.press(KEY.escape);
    await c.see('cancelled: nothing was done');
    await waitFor(() => c.controller.getState().locks.rows.length === 2, 'the lock chain after the dialog closed');
    await c.see(/Locks: 1 waiting/);
    await holder.query('ROLLBACK');
    await waiting;
  });

  test("refreshes that change nothing on screen draw nothing: the disk's free bytes move, its percent does not", async () => {
    const d = await openConsole('console D');
    await d.see('no session waits for a lock');
    await d.see(/\d+% free/);
    await d.see(/db \d/);
    await d.controller.firstData;
    // Every drawn frame takes Ink's frame slot (1/30 s): a key pressed just after it waits for the next one.
    // A frame whose gauges read differently (the cluster's WAL rate moves with other databases'
    // writes) is a change on screen; a frame with the same gauges drawn again is one of nothing.
    const gaugeText = () => JSON.stringify(gaugesPane(d.controller.getState().gauges, 100, 12, false));
    let lastGauges = gaugeText();
    let published = 0;
    const unsubscribe = d.controller.subscribe(() => {
      const now = gaugeText();
      if (now === lastGauges) published++;
      lastGauges = now;
    });
    // The monitor's refreshes, each its own snapshot (its time), as they arrive.
    const snapshots: MonitorSnapshot[] = [];
    const nextRefresh = () =>
      waitFor(
        () => {
          const s = d.controller.lastSnapshot;
          if (s && s.at && !s.stale && s.at !== snapshots.at(-1)?.at) return Boolean(snapshots.push(s));
          return false;
        },
        'the monitor to refresh',
        10_000,
      );
    try {
      // Quiet first: the console's start-up (first answers, the plan read ahead) is drawn, then two
      // refreshes in a row draw nothing.
      for (let quiet = false, tries = 0; !quiet; tries++) {
        if (tries === 60) throw new Error('the console kept drawing: no two refreshes in a row drew nothing');
        const before = published;
        await nextRefresh();
        await nextRefresh();
        quiet = published === before;
      }
      published = 0;
      snapshots.length = 0;
      const filler = path.join(work, 'filler');
      for (let i = 0; i < 6; i++) {
        writeFileSync(filler, Buffer.alloc(((i % 2) + 1) * 64 * 1024)); // the free bytes change, the percent shown does not
        await nextRefresh();
      }
      // the monitor ran, six times, and read the disk's free bytes moving; nothing of it was drawn
      expect(snapshots).toHaveLength(6);
      const free = new Set(snapshots.map((s) => (s.disk.known ? s.disk.freeBytes : undefined)));
      expect([...free].filter((f) => f !== undefined).length, 'distinct free bytes read').toBeGreaterThan(1);
      expect(published).toBe(0);
    } finally {
      unsubscribe();
    }
  });
});
