// Keys follow sessions (issue 25): C and K act on the session the DBA selected, never on another one
// the cursor fell onto when the Locks pane reordered; the console's own sessions are never offered
// to them; and the DBA's own result ("Cancelled the query of session N") stays on the message line
// through the run's retry chatter until the next key. Against the real test database.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { Context } from '../../src/cli/context.js';
import { client, freshDatabase, query } from '../helpers/db.js';
import { KEY, plain, sleep, waitFor } from './harness.js';
import { longFolder, nameOf, recordApplied } from './longFolder.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let folder: ReturnType<typeof longFolder>;
let controller: ConsoleController;
let app: ReturnType<typeof render>;
let sessions: pg.Client[] = [];

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
    () => `the screen to show ${text}\n${screen()}`,
    timeoutMs,
  );
const selectedLine = () =>
  screen()
    .split('\n')
    .find((l) => /[│║]›/.test(l)) ?? '';
/** Selects the Locks row of a pid with ↑/↓, one move at a time. */
async function selectPid(pid: number) {
  const on = () => new RegExp(`›\\S*\\s*[└├]?\\s*${pid} `).test(selectedLine()) || selectedLine().includes(`›${pid} `);
  for (let i = 0; i < 12 && !on(); i++) {
    const before = selectedLine().replace(/\d+ ?[sm]\b/g, '');
    await press(i < 6 ? KEY.down : KEY.up);
    await waitFor(
      () => selectedLine().replace(/\d+ ?[sm]\b/g, '') !== before || on(),
      'the selection to move',
      1500,
    ).catch(() => undefined);
  }
  if (!on()) throw new Error(`cannot select pid ${pid}\n${screen()}`);
}
async function session(application: string): Promise<{ c: pg.Client; pid: number }> {
  const c = await client(db.url);
  sessions.push(c);
  await c.query(`SET application_name = '${application}'`);
  return { c, pid: (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p as number };
}
/** A session holding lockme, and sessions queued behind it. */
async function queue(...waiters: string[]) {
  const holder = await session('test-holder');
  await holder.c.query('BEGIN');
  await holder.c.query('LOCK TABLE lockme IN ACCESS EXCLUSIVE MODE');
  const queued = [];
  for (const name of waiters) {
    const w = await session(name);
    const waiting = w.c.query('SELECT count(*) FROM lockme').catch((e: Error) => e);
    queued.push({ ...w, waiting });
    await see(new RegExp(`${w.pid} `));
  }
  return { holder, queued };
}
const focusLocks = async () => {
  for (let i = 0; i < 4 && !screen().includes('▶ Locks'); i++) await press(KEY.tab);
  await see('▶ Locks');
};

beforeAll(async () => {
  db = await freshDatabase('tui_keys_follow');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-follow-'));
  folder = longFolder(4, 2);
  await recordApplied(db.url, folder, 2);
  await query(db.url, 'CREATE TABLE lockme (id int)');
  const ctx = new Context({ databaseUrl: db.url, migrations: folder.dir, journalDir: path.join(work, 'journal') });
  controller = new ConsoleController({
    ctx,
    mode: 'demo',
    refreshMs: 300,
    backupDir: path.join(work, 'backups'),
    lockTimeoutMs: 700,
    lockRetries: 40,
  });
  await controller.connect();
  controller.start();
  app = render(<App model={controller} size={{ columns: 100, rows: 30 }} onQuit={() => undefined} />);
  await see(nameOf(2));
}, 60_000);

afterEach(async () => {
  await press(KEY.escape, KEY.escape);
  for (const s of sessions) await s.end().catch(() => undefined);
  sessions = [];
});

afterAll(async () => {
  app?.unmount();
  await controller?.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
  rmSync(folder.dir, { recursive: true, force: true });
});

describe('C and K act only on the session the DBA selected', () => {
  test('a selected session that leaves the Locks pane is not replaced by the next row: C and K refuse until the cursor moves', async () => {
    const { queued } = await queue('job-first', 'job-second');
    const [first, second] = queued as [(typeof queued)[number], (typeof queued)[number]];
    await focusLocks();
    await selectPid(first.pid);
    await query(db.url, 'SELECT pg_cancel_backend($1)', [first.pid]); // someone else ends it
    await first.waiting;
    await waitFor(
      () => !screen().includes(`${first.pid} `),
      () => `pid ${first.pid} to leave the pane\n${screen()}`,
    );
    await see(new RegExp(`${second.pid} `));
    await press('C');
    await see(`C (cancel query): pid ${first.pid} is gone; select again.`);
    expect(screen()).not.toContain('Cancel the query of session');
    await press('K');
    await see(`K (kill session): pid ${first.pid} is gone; select again.`);
    expect(screen()).not.toContain('Terminate session');
    // Moving the cursor selects a session again, and C asks about that one.
    await selectPid(second.pid);
    await press('C');
    await see(`Cancel the query of session ${second.pid}?`);
    await press(KEY.escape);
    await see('cancelled: nothing was done');
    const still = await query(db.url, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [second.pid]);
    expect(still[0]!.n).toBe(1);
  });

  test('a session of citadel-migrate itself (here a monitor session queued behind a lock) is refused by C and K in one sentence', async () => {
    const { queued } = await queue('citadel-migrate monitor (test)');
    const own = queued[0]!;
    await focusLocks();
    await selectPid(own.pid);
    expect(screen()).not.toContain('C cancel query');
    const sentence = `pid ${own.pid} is citadel-migrate's own session; the console does not signal it.`;
    await press('C');
    await see(`C (cancel query): ${sentence}`);
    await press('K');
    await see(`K (kill session): ${sentence}`);
    expect(screen()).not.toMatch(/Cancel the query of session|Terminate session/);
    const still = await query(db.url, `SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, [own.pid]);
    expect(still[0]?.wait_event_type).toBe('Lock');
  });
});

describe("the DBA's own result stays until the next key", () => {
  test('"Cancelled the query of session N" stays through the run\'s retries behind the lock, and goes at the next key', {
    timeout: 90_000,
  }, async () => {
    // The run waits behind a session idle in a transaction on accounts; meanwhile the DBA cancels
    // another session's query (one queued on lockme): its result must outlive the run's retries.
    const blocker = await session('report-job');
    await blocker.c.query('BEGIN');
    await blocker.c.query('SELECT count(*) FROM accounts');
    const { queued } = await queue('job-waiting');
    const target = queued[0]!;
    let retries = 0;
    const seen: string[] = [];
    const off = controller.events.on((e) => {
      seen.push(`${e.type}${'attempt' in e ? e.attempt : ''}`);
      if (e.type === 'retry') retries++;
    });
    try {
      await see(new RegExp(`${blocker.pid} `), 20_000);
      for (let i = 0; i < 4 && !screen().includes('▶ Migrations'); i++) await press(KEY.tab);
      await press('r');
      await see(`Run ${nameOf(2)}?`, 60_000);
      await press(KEY.tab, KEY.enter);
      await waitFor(() => retries >= 1, 'a retry behind the lock', 30_000);
      await focusLocks();
      await selectPid(target.pid);
      await press('C');
      await see(`Cancel the query of session ${target.pid}?`);
      await press(KEY.tab, KEY.enter);
      expect(String(await target.waiting)).toMatch(/cancel/i);
      await see(`Cancelled the query of session ${target.pid}`);
      const after = retries;
      await waitFor(() => retries >= after + 3, `three more retries: ${seen.join(' ')}`, 40_000);
      expect(screen()).toContain(`Cancelled the query of session ${target.pid}`);
      await press(KEY.down);
      await waitFor(
        () => !screen().includes('Cancelled the query of session'),
        () => `the result to go at the next key\n${screen()}`,
        3000,
      );
    } finally {
      off?.();
      await controller.stopRun();
    }
  });
});
