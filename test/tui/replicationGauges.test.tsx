// The gauges pane shows the standbys, the slots and the WAL, at 80x24 and at 120x35: a real primary
// with a streaming standby (pg_basebackup -R), replay paused to make it fall behind.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { Context } from '../../src/cli/context.js';
import { startReplicated, type Replicated } from '../helpers/standby.js';
import { query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { plain, waitFor } from './harness.js';

let r: Replicated;
let controller: ConsoleController;
const cleanup: (() => Promise<unknown> | void)[] = [];
beforeAll(async () => {
  r = await startReplicated();
  await r.primary.createDatabase('app');
  await query(r.primary.url('app'), `SELECT pg_create_physical_replication_slot('gone_consumer', true)`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-repl-'));
  const migrations = makeMigrations({ '001_a': 'CREATE TABLE a (id int);\n' });
  cleanup.push(
    () => r.stop(),
    () => rmSync(work, { recursive: true, force: true }),
  );
  const ctx = new Context({ databaseUrl: r.primary.url('app'), migrations, journalDir: path.join(work, 'journal') });
  controller = new ConsoleController({ ctx, mode: 'demo', refreshMs: 250, backupDir: path.join(work, 'backups') });
  await controller.connect();
  cleanup.push(() => controller.close());
});
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

test.each([
  [80, 24],
  [120, 35],
])('at %ix%i the gauges show the standby, the slot and the WAL', async (columns, rows) => {
  const app = render(<App model={controller} size={{ columns, rows }} onQuit={() => undefined} />);
  try {
    const screen = () => plain(app.lastFrame());
    // the WAL rate needs two refreshes
    await waitFor(
      () => /replica-1 caught up/.test(screen()) && /WAL [\d.]+ (bytes|kB|MB)\/s/.test(screen()),
      () => `the standby and the WAL rate in the gauges\n${screen()}`,
      15_000,
    );
    expect(screen()).toMatch(/slot gone_consumer inactive [\d.]+ (bytes|kB|MB)/);
    const lines = screen().split('\n');
    expect(lines.length).toBeLessThanOrEqual(rows);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(columns);
  } finally {
    app.unmount();
  }
});

test('a standby that falls behind shows its replay lag in the gauges at 80x24', async () => {
  const app = render(<App model={controller} size={{ columns: 80, rows: 24 }} onQuit={() => undefined} />);
  await r.pauseReplay();
  try {
    await query(r.primary.url('app'), 'CREATE TABLE filler AS SELECT g FROM generate_series(1, 20000) g');
    const screen = () => plain(app.lastFrame());
    await waitFor(
      () => /replica-1 \d+(\.\d)?s \/ [\d.]+ (kB|MB) behind/.test(screen()),
      () => `the standby's lag in the gauges\n${screen()}`,
      15_000,
    );
  } finally {
    await r.resumeReplay();
    app.unmount();
  }
});
