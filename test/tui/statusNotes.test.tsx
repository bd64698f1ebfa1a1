// The console reads the migrations through `status`'s operation (issue 27), so it says what `status`
// says beside its table: the journal's note on a run that died part-way, what a run would refuse (a
// folder that is not the database's), and what a dead run left on the server (an INVALID index).
import { afterAll, beforeAll, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '../../src/cli/context.js';
import { runOperation } from '../../src/operations/run.js';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { startConsoleOn, type ConsoleOnDb } from './consoleOnDb.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let c: ConsoleOnDb;

const see = (text: string | RegExp) => c.see(text, 20_000);

beforeAll(async () => {
  db = await freshDatabase('tui_status');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-status-'));
  const journalDir = path.join(work, 'journal');
  // The database's history comes from another folder: none of its applied migrations is in the console's.
  const theirs = makeMigrations({ '0_other': 'CREATE TABLE other (id int);' });
  await runOperation(new Context({ databaseUrl: db.url, migrations: theirs, journalDir }), {}, { ask: null });
  // A cancelled CREATE INDEX CONCURRENTLY leaves its index INVALID.
  await query(db.url, 'CREATE TABLE dup (x int); INSERT INTO dup VALUES (1), (1)');
  await query(db.url, 'CREATE UNIQUE INDEX CONCURRENTLY dup_x ON dup (x)').catch(() => undefined);
  const ours = makeMigrations({ '1_a': 'CREATE TABLE a (id int);', '2_b': 'CREATE TABLE b (id int);' });
  // A run began 1_a and its process died before it journalled an end.
  const ctx = new Context({ databaseUrl: db.url, migrations: ours, journalDir });
  (await ctx.journal()).begin('migration', { name: '1_a', atomic: true });
  c = await startConsoleOn({ url: db.url, migrations: ours, work, columns: 200, rows: 40 });
});

afterAll(async () => {
  c?.app.unmount();
  await c?.controller.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

test("the Migrations pane says what status says: the journal's interrupted run, the wrong folder, a leftover", async () => {
  // The pane is half the screen wide: each note's first words, the rest in `status`.
  await see(/· 1_a: interrupted: a run began it at \S+ \S+ UTC \(pid \d+ on \S+\) and died/);
  await see("! This is not the database's migrations folder: none of the database's 1 applied migrations");
  await see(/! index \S*dup_x is INVALID \(left by a cancelled CREATE INDEX CONCURRENTLY\?\)/);
});
