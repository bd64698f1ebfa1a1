// Nothing stale: the run dialog's table sizes are at most one size measure old. The plan is read
// ahead at start-up, when the table is nearly empty (the demo's application loads its data after);
// once the data is in and the sizes measured, the dialog says the table's size now.
import { afterAll, describe, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { Context } from '../../src/cli/context.js';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { KEY, plain, sleep, waitFor } from './harness.js';

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('sizes in the run dialog', () => {
  test('the table filled after the plan was read ahead: the dialog shows its size now', async () => {
    const db = await freshDatabase('tui_dialog_sizes');
    const work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-sizes-'));
    const migrations = makeMigrations({ '001_alter': 'ALTER TABLE filled ADD COLUMN note text;\n' });
    cleanup.push(
      () => db.drop(),
      () => rmSync(work, { recursive: true, force: true }),
      () => rmSync(migrations, { recursive: true, force: true }),
    );
    await query(db.url, 'CREATE TABLE filled (id int, pad text)');

    const ctx = new Context({ databaseUrl: db.url, migrations, journalDir: path.join(work, 'journal') });
    const controller = new ConsoleController({
      ctx,
      mode: 'demo',
      refreshMs: 250,
      backupDir: path.join(work, 'backups'),
    });
    await controller.connect();
    controller.start();
    const app = render(<App model={controller} size={{ columns: 160, rows: 40 }} onQuit={() => undefined} />);
    cleanup.push(
      () => controller.close(),
      () => app.unmount(),
    );
    const screen = () => plain(app.lastFrame());
    const see = (text: string | RegExp, timeoutMs = 60_000) =>
      waitFor(
        () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())),
        () => `${text}\n${screen()}`,
        timeoutMs,
      );
    await see(/· 001_alter/);

    await see('no session waits for a lock');
    app.stdin.write('r');
    await see('Run 001_alter?');
    expect(screen()).toMatch(/ACCESS EXCLUSIVE on filled \((0 B|\d+(\.\d)? kB|new or empty)/);
    app.stdin.write(KEY.escape);
    await sleep(60);
    await see(/· 001_alter/);

    // The application loads its data; the console measures sizes (as the demo does when the load ends).
    await query(db.url, `INSERT INTO filled SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g`);
    await query(db.url, 'ANALYZE filled');
    await controller.refreshChecklist({ sizes: true });
    await waitFor(
      () =>
        (controller.lastSnapshot?.sizes.largest ?? []).some((r) => r.name.endsWith('filled') && r.bytes > 1_000_000),
      'the sizes measured with the data in',
    );

    app.stdin.write('r');
    await see('Run 001_alter?');
    expect(screen()).toMatch(/ACCESS EXCLUSIVE on filled \(\d+(\.\d+)? MB/);
  });
});
