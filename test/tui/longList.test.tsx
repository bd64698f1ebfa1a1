// The console on a real project: 160 migrations, 100 applied. The list opens on the next one to
// run, Home/End/PgDn reach the ends, a burst of keys in one read is not lost, a session idle in a
// transaction holding a lock on the next migration's table shows in the Locks pane before the run
// (and is terminated from there), and a change made by another process shows within one refresh.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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

const COUNT = 160;
const APPLIED = 100;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let folder: ReturnType<typeof longFolder>;
let controller: ConsoleController;
let app: ReturnType<typeof render>;
const sessions: pg.Client[] = [];

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
const selected = (i: number) => new RegExp(`›\\S ${nameOf(i)}`);

beforeAll(async () => {
  db = await freshDatabase('tui_long');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-long-'));
  folder = longFolder(COUNT, APPLIED, { [APPLIED + 1]: 'ALTER TABLE accounts ADD COLUMN note2 text;\n' });
  await recordApplied(db.url, folder, APPLIED);
  const ctx = new Context({ databaseUrl: db.url, migrations: folder.dir, journalDir: path.join(work, 'journal') });
  controller = new ConsoleController({
    ctx,
    mode: 'demo',
    refreshMs: 300,
    backupDir: path.join(work, 'backups'),
    lockTimeoutMs: 1500,
    lockRetries: 4,
  });
  await controller.connect();
  controller.start();
  app = render(<App model={controller} size={{ columns: 80, rows: 24 }} onQuit={() => undefined} />);
}, 60_000);

afterAll(async () => {
  app?.unmount();
  await controller?.close();
  for (const s of sessions) await s.end().catch(() => undefined);
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
  rmSync(folder.dir, { recursive: true, force: true });
});

describe('a long migration list at 80x24', () => {
  test('opens on the next migration to run, with the rows shown in the title; End, Home, PgDn and G reach the ends', async () => {
    await see(selected(APPLIED));
    expect(screen()).toMatch(new RegExp(`Migrations ${APPLIED}/${COUNT} \\d+-\\d+ of ${COUNT}`));
    await press(KEY.end);
    await see(selected(COUNT - 1));
    await see(new RegExp(`Migrations ${APPLIED}/${COUNT} \\d+-${COUNT} of ${COUNT}`));
    await press(KEY.home);
    await see(selected(0));
    await see(`Migrations ${APPLIED}/${COUNT} 1-`);
    await press(KEY.pageDown);
    await waitFor(() => !selected(0).test(screen()), 'PgDn to move');
    await press('G');
    await see(selected(COUNT - 1));
    expect(screen().split('\n').length).toBeLessThanOrEqual(23);
  });

  test('20 j in one read move the selection 20 rows down; 20 k sent one by one move it back', async () => {
    await press('g');
    await see(selected(0));
    app.stdin.write('j'.repeat(20));
    await see(selected(20));
    for (let i = 0; i < 20; i++) app.stdin.write('k');
    await see(selected(0));
  });

  test('the checklist shows the selected group whole at 80x24 (the others as the cursor moves: keys.test)', async () => {
    await waitFor(() => controller.getState().checklist.available, 'the checklist');
    const items = controller.getState().checklist.items;
    await see(new RegExp(`Checklist \\d+/${items.length}`));
    // The selected group is shown whole (with env.privileges the environment group fills the 5 rows of
    // an 80x24 pane; the other groups come into view as the cursor moves, as keys.test checks).
    const shown = items.filter((m) => m.group === items[0]!.group);
    expect(shown.length).toBeGreaterThan(1);
    for (const m of shown)
      expect(screen()).toMatch(
        new RegExp(
          `[✓✗!○…] ${(m.status === 'pass' && m.evidence ? m.evidence : m.title).slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
        ),
      );
  });

  test("a session idle in a transaction holding a lock on the next migration's table shows before the run, in the run dialog too, and K terminates it", async () => {
    const blocker = await client(db.url);
    sessions.push(blocker);
    await blocker.query(`SET application_name = 'nightly-report'`);
    await blocker.query('BEGIN');
    await blocker.query('SELECT count(*) FROM accounts');
    const pid = (await blocker.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
    await see(/Locks: 1 could block/, 20_000);
    await see(new RegExp(`${pid} ! idle in txn`));
    // The run dialog names it.
    await press('r');
    await see(`Run ${nameOf(APPLIED)}?`, 60_000);
    await see(`blocked now by pid ${pid} (nightly-report, idle in transaction`);
    await see('strongest lock ACCESS EXCLUSIVE on accounts');
    await press(KEY.escape);
    await see('cancelled: nothing was done');
    // Locks pane: the blocker is selected, K and y terminate it.
    await press(KEY.tab);
    await see('▶ Locks');
    await see(new RegExp(`›${pid} `));
    await press('K');
    await see(`Terminate session ${pid}?`);
    await press('y');
    await see(`Terminated session ${pid}`);
    await waitFor(() => !screen().includes('could block'), 'the risk to go', 10_000);
    const left = await query(db.url, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [pid]);
    expect(left[0]!.n).toBe(0);
  });

  test('a migration applied by another process shows as applied within a refresh', async () => {
    const name = nameOf(APPLIED);
    await press('/', ...'step_100', KEY.enter);
    await see(new RegExp(`›· ${name}`));
    const { checksum } = await import('../../src/runbook/checksum.js');
    await query(db.url, 'ALTER TABLE accounts ADD COLUMN note text');
    await query(
      db.url,
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (gen_random_uuid()::text, $1, now(), $2, now(), 1)`,
      [checksum(folder.sql.get(name)!), name],
    );
    const t0 = Date.now();
    await see(new RegExp(`✓ ${name}`), 5000);
    expect(Date.now() - t0).toBeLessThan(2000); // refresh every 300 ms: well within the 5 s status poll
    await see(`Migrations ${APPLIED + 1}/${COUNT}`);
  });

  test('during a run, the blocker stays on the Locks pane between lock_timeout retries, so K always has its target', async () => {
    const blocker = await client(db.url);
    sessions.push(blocker);
    await blocker.query(`SET application_name = 'stuck-job'`);
    await blocker.query('BEGIN');
    await blocker.query('SELECT count(*) FROM accounts');
    const pid = (await blocker.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
    await see(new RegExp(`${pid} ! idle in txn`), 20_000);
    await press('r');
    await see(`Run ${nameOf(APPLIED + 1)}?`, 60_000);
    await press(KEY.tab, KEY.enter);
    await see(/retried \(1 of 4\)/, 20_000);
    // Sampled through the retries: the blocker never leaves the pane.
    for (let i = 0; i < 15; i++) {
      expect(screen()).toMatch(new RegExp(`${pid} ! idle in txn`)); // its Locks pane row, not the waits line
      await sleep(100);
    }
    await press(KEY.tab); // Locks
    await see('▶ Locks');
    await see(new RegExp(`›${pid} `));
    await press('K', 'y');
    await see(`Terminated session ${pid}`);
    await waitFor(
      () => controller.getState().migrations.items.find((m) => m.name === nameOf(APPLIED + 1))?.state === 'applied',
      'the run to go through',
      30_000,
    );
  });
});
