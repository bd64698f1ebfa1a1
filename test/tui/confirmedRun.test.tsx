// What was confirmed is what runs: the console's run dialog names a migration; another terminal's
// `citadel-migrate run` applies it while the dialog is open; confirming then runs nothing else and
// says why. Real database, the real CLI in a second process.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { Context } from '../../src/cli/context.js';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli } from '../helpers/cli.js';
import { KEY, plain, sleep, waitFor } from './harness.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let migrations: string;
const cleanup: (() => unknown)[] = [];

beforeAll(async () => {
  db = await freshDatabase('tui_confirmed');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-confirmed-'));
  migrations = makeMigrations({
    '001_first': 'CREATE TABLE first_one (id int);\n',
    '002_second': 'CREATE TABLE second_one (id int);\n',
  });
});

afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
  rmSync(migrations, { recursive: true, force: true });
});

describe('what was confirmed is what runs', () => {
  test('another terminal applies the confirmed migration while the dialog is open: nothing else runs, and the console says why', async () => {
    const ctx = new Context({ databaseUrl: db.url, migrations, journalDir: path.join(work, 'journal') });
    const controller = new ConsoleController({
      ctx,
      mode: 'demo',
      refreshMs: 250,
      backupDir: path.join(work, 'backups'),
    });
    await controller.connect();
    controller.start();
    const app = render(<App model={controller} size={{ columns: 180, rows: 30 }} onQuit={() => undefined} />);
    cleanup.push(
      () => controller.close(),
      () => app.unmount(),
    );
    const screen = () => plain(app.lastFrame());
    const see = (text: string | RegExp, timeoutMs = 30_000) =>
      waitFor(
        () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())),
        () => `${text}\n${screen()}`,
        timeoutMs,
      );
    await see(/· 001_first/);

    app.stdin.write('r');
    await see('Run 001_first?', 60_000);

    // The other terminal: Prisma's bookkeeping written by the CLI's own run.
    const other = await cli([
      'run',
      '--yes',
      '--to',
      '001_first',
      '--database-url',
      db.url,
      '--migrations',
      migrations,
    ]);
    expect(other.exitCode).toBe(0);

    app.stdin.write(KEY.tab);
    await sleep(30);
    app.stdin.write(KEY.enter);
    await see('001_first is no longer pending (another run applied it after you confirmed)');
    await see('Nothing was run');
    await waitFor(() => !controller.isRunning(), 'the run to end');

    const rows = await query<{ migration_name: string }>(
      db.url,
      'SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(['001_first']);
    const second = await query<{ gone: boolean }>(db.url, `SELECT to_regclass('second_one') IS NULL AS gone`);
    expect(second[0]!.gone).toBe(true);
  });
});
