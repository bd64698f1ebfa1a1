// The Disk pane's database size after a run: measured again when the run ends (with the
// checklist's), not up to 30 s later, so the two panes never disagree on it. Real database.
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

const cleanup: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

test('after a run that adds 8 MB, the Disk pane shows the new size and its growth within a few seconds', {
  timeout: 60_000,
}, async () => {
  const db = await freshDatabase('tui_sizes');
  const work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-sizes-'));
  const migrations = makeMigrations({
    '001_big': "CREATE TABLE big AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 60000) g;\n",
  });
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
  const app = render(<App model={controller} size={{ columns: 100, rows: 30 }} onQuit={() => undefined} />);
  cleanup.push(
    () => controller.close(),
    () => app.unmount(),
  );
  const screen = () => plain(app.lastFrame());
  await waitFor(
    () => /db \d+(\.\d)? MB\s/.test(screen()),
    () => `the database's size\n${screen()}`,
  );
  const before = controller.getState().gauges.dbBytes!;

  controller.startRun(controller.getState().migrations.items.map((m) => m.name));
  await controller.run?.done;
  // Far sooner than the 30 s between two size measures.
  // A measure taken while the table was still being written may show first; the one taken
  // when the run ends must follow it within the same few seconds.
  const growth = () => Number(/db \d+(?:\.\d)? MB \(\+(\d+(?:\.\d)?) MB\)/.exec(screen())?.[1] ?? 0);
  await waitFor(
    () => growth() > 7,
    () => `the new size and its growth of more than 7 MB\n${screen()}`,
    5000,
  );
  expect(controller.getState().gauges.dbBytes! - before).toBeGreaterThan(7 * 1024 * 1024);
});
