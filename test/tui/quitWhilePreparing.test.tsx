// q while the run dialog is being prepared (after r, "reading the plan…"): the console quits at once.
// Keys typed while a dangerous key's dialog is read are held for that dialog (the y after K), but a
// q typed before anything else is the DBA leaving, not an answer. Real database.
import { afterAll, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { Context } from '../../src/cli/context.js';
import { freshDatabase } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { plain, waitFor } from './harness.js';

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('r then q in one packet: the console quits within 1 s and no Run dialog opens', async () => {
  const db = await freshDatabase('tui_quit_preparing');
  const work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-quit-'));
  const migrations = makeMigrations({ '001_first': 'CREATE TABLE first_one (id int);\n' });
  cleanup.push(
    () => db.drop(),
    () => rmSync(work, { recursive: true, force: true }),
    () => rmSync(migrations, { recursive: true, force: true }),
  );
  const ctx = new Context({ databaseUrl: db.url, migrations, journalDir: path.join(work, 'journal') });
  const controller = new ConsoleController({
    ctx,
    mode: 'demo',
    refreshMs: 250,
    backupDir: path.join(work, 'backups'),
  });
  await controller.connect();
  controller.start();
  let quitAt: number | undefined;
  const app = render(
    <App model={controller} size={{ columns: 100, rows: 30 }} onQuit={() => void (quitAt ??= Date.now())} />,
  );
  cleanup.push(
    () => controller.close(),
    () => app.unmount(),
  );
  const screen = () => plain(app.lastFrame());
  await waitFor(
    () => /001_first/.test(screen()),
    () => `the migration\n${screen()}`,
  );
  const t0 = Date.now();
  app.stdin.write('rq');
  await waitFor(
    () => quitAt !== undefined,
    () => `a quit\n${screen()}`,
    5000,
  );
  expect(quitAt! - t0).toBeLessThan(1000);
  expect(screen()).not.toMatch(/Run all|Apply 1 migration/);
});
