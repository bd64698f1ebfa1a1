// The console on a LIVE database confirms as the CLI does (issue 13): skip, roll back and
// terminate go through the same operations, whose questions ask for the database name typed.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { Context } from '../../src/cli/context.js';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { KEY, plain, sleep, waitFor } from './harness.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let controller: ConsoleController;
let app: ReturnType<typeof render>;

const screen = () => plain(app.lastFrame());
const press = async (...keys: string[]) => {
  for (const k of keys) {
    app.stdin.write(k);
    await sleep(k === KEY.escape ? 60 : 30);
  }
};
const type = (text: string) => press(...text.split(''));
const see = (text: string | RegExp) =>
  waitFor(
    () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())),
    () => `the screen to show ${text}\n${screen()}`,
    20_000,
  );
const tables = async () =>
  (await query<{ t: string }>(db.url, `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`)).map(
    (r) => r.t,
  );
const stateOf = (name: string) => controller.getState().migrations.items.find((m) => m.name === name)?.state;

beforeAll(async () => {
  db = await freshDatabase('tui_live');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-live-'));
  const dir = makeMigrations({
    '1_a': { up: 'CREATE TABLE a (id int);', down: 'DROP TABLE a;' },
    '2_b': { up: 'CREATE TABLE b (id int);', down: 'DROP TABLE b;' },
  });
  const ctx = new Context({ databaseUrl: db.url, migrations: dir, journalDir: path.join(work, 'journal') });
  controller = new ConsoleController({ ctx, mode: 'live', refreshMs: 300, backupDir: path.join(work, 'backups') });
  await controller.connect();
  controller.start();
  app = render(<App model={controller} size={{ columns: 100, rows: 30 }} onQuit={() => undefined} />);
  await see(/Migrations/);
});

afterAll(async () => {
  app?.unmount();
  await controller?.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

test('skip on LIVE: the reason, then the database name typed; a wrong name changes nothing', async () => {
  await waitFor(() => stateOf('1_a') === 'pending', '1_a pending');
  while (!/▶ Migrations/.test(screen())) await press(KEY.tab);
  await press('s');
  await see('Skip 1_a?');
  await type('made by hand');
  await press(KEY.enter);
  await see(`type ${db.name} and Enter to skip it`);
  await type('nope');
  await press(KEY.enter);
  await see('cancelled: nothing was done');
  expect(stateOf('1_a')).toBe('pending');
  await press('s');
  await see('Skip 1_a?');
  await type('made by hand');
  await press(KEY.enter);
  await see(`type ${db.name} and Enter to skip it`);
  await type(db.name);
  await press(KEY.enter);
  await waitFor(() => stateOf('1_a') === 'applied', '1_a skipped');
  // The journal line is the CLI's: the skip's reason, from the same operation.
  const journal = readFileSync((await controller.ctx.journal()).file, 'utf8');
  expect(journal).toMatch(/"action":"skip".*"reason":"made by hand"/);
});

test('roll back on LIVE: y is not enough, the database name is', async () => {
  // 1_a was skipped because its table was made by hand: here it is, for down.sql to drop
  await query(db.url, 'CREATE TABLE a (id int)');
  await press(KEY.up);
  await see(/›✓ 1_a/);
  await press('b');
  await see('Roll back 1_a?');
  // what the CLI's question shows too: down.sql's statements and the latest verified backup
  await see('down.sql (1 statement):');
  await see('1. DROP TABLE a');
  await see('No verified backup of this database in the journal');
  await see(`type ${db.name} and Enter to roll it back`);
  await press('y', KEY.enter);
  await see('cancelled: nothing was done');
  expect(stateOf('1_a')).toBe('applied');
  expect(await tables()).toContain('a');
  // the name typed: down.sql runs, the migration is pending again, and the journal says so
  await press('b');
  await see(`type ${db.name} and Enter to roll it back`);
  await type(db.name);
  await press(KEY.enter);
  await waitFor(() => stateOf('1_a') === 'pending', '1_a rolled back');
  expect(await tables()).not.toContain('a');
  const journal = readFileSync((await controller.ctx.journal()).file, 'utf8');
  expect(journal).toMatch(/"action":"rollback".*"name":"1_a"/);
});
