// Issue 26: the console finds backups through the journal, wherever they were written: a backup made
// with --backup-dir elsewhere passes the checklist's backup items, where the console used to look
// only in its own folder (./backups) and show ✗.
import { afterAll, beforeAll, expect, test } from 'vitest';
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
import { plain, waitFor } from './harness.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let controller: ConsoleController;
let app: ReturnType<typeof render>;
const screen = () => plain(app.lastFrame());

beforeAll(async () => {
  db = await freshDatabase('tui_bk');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-bk-'));
  await query(db.url, 'CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 30)');
});

afterAll(async () => {
  app?.unmount();
  await controller?.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

test('a backup written to another folder passes the console checklist through the journal', async () => {
  const journalDir = path.join(work, 'journal');
  const dir = makeMigrations({ '1_a': 'CREATE TABLE a (id int);' });
  const b = await cli([
    'backup',
    '--bundled',
    '--database-url',
    db.url,
    '--backup-dir',
    path.join(work, 'srv-dumps'),
    '--journal-dir',
    journalDir,
  ]);
  expect(b.exitCode, b.stderr).toBe(0);
  const ctx = new Context({ databaseUrl: db.url, migrations: dir, journalDir });
  controller = new ConsoleController({ ctx, mode: 'live', refreshMs: 300, backupDir: path.join(work, 'backups') });
  await controller.connect();
  controller.start();
  app = render(<App model={controller} size={{ columns: 120, rows: 30 }} onQuit={() => undefined} />);
  const item = (id: string) => controller.getState().checklist.items.find((i) => i.id === id);
  await waitFor(() => item('backup.verify') !== undefined, 'the checklist', 20_000);
  expect(item('backup.create')).toMatchObject({ status: 'pass' });
  expect(item('backup.create')!.evidence).toContain(path.join(work, 'srv-dumps'));
  expect(item('backup.verify')).toMatchObject({ status: 'pass' });
  const shown = `✓ Create full database backup: ${path.join(work, 'srv')}`;
  await waitFor(
    () => screen().includes(shown) && screen().includes('✓ Verify backup integrity'),
    () => `the checklist pane\n${screen()}`,
    20_000,
  );
});
