// The console's own run of a table rewrite: how far it is, live, with an ETA. A real rewrite.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConsoleController } from '../../src/tui/controller.js';
import { query } from '../helpers/db.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/embedded.js';
import { makeMigrations } from '../helpers/folders.js';
import { waitFor } from './harness.js';
import { runFromConsole, startConsoleOn, type ConsoleOnDb } from './consoleOnDb.js';

// A server of its own: the measure is the server's WAL against the table's size, and other test files
// writing on the shared server fill this small table's share at once (99%, capped, and no ETA).
let server: Sandbox;
let url: string;
let work: string;
let migrations: string;
let controller: ConsoleController;
let app: ConsoleOnDb['app'];

beforeAll(async () => {
  server = await startSandbox();
  await server.createDatabase('tui_rewrite');
  url = server.url('tui_rewrite');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-queued-'));
  // Each row's default takes 3 ms: 2000 rows make a rewrite of several seconds, on a small table.
  await query(
    url,
    `CREATE TABLE t (id int PRIMARY KEY, note text); INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g; ANALYZE t;
    CREATE FUNCTION slow_now() RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM pg_sleep(0.003); RETURN clock_timestamp(); END $$;`,
  );
  migrations = makeMigrations({ '001_stamp': 'ALTER TABLE t ADD COLUMN stamped_at timestamptz DEFAULT slow_now();' });
}, 120_000);

afterAll(async () => {
  app?.unmount();
  await controller?.close();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(migrations, { recursive: true, force: true });
});

describe('a rewrite run from the console', () => {
  test('shows the rewrite measure with an ETA under the running row', async () => {
    const c = await startConsoleOn({ url, migrations, work, columns: 120, rows: 30 });
    ({ controller, app } = c);
    const { screen } = c;
    await runFromConsole(c, '001_stamp');
    await waitFor(
      () => /rewriting t: \S+ \S+ of WAL for ~\S+ \S+ \d+%, ETA \d/.test(screen()),
      () => `the rewrite's measure:\n${screen()}`,
      20_000,
    );
    expect(screen()).toMatch(/▶ 001_stamp/);
  }, 90_000);
});
