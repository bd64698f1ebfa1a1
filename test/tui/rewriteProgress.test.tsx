// The console's own run of a table rewrite: how far it is, live, with an ETA. A real rewrite.
import React from 'react';
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
import { KEY, plain, sleep, waitFor } from './harness.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let migrations: string;
let controller: ConsoleController;
let app: ReturnType<typeof render>;

beforeAll(async () => {
  db = await freshDatabase('tui_queued');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-queued-'));
  // Each row's default takes 3 ms: 2000 rows make a rewrite of several seconds, on a small table.
  await query(db.url, `CREATE TABLE t (id int PRIMARY KEY, note text); INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g; ANALYZE t;
    CREATE FUNCTION slow_now() RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM pg_sleep(0.003); RETURN clock_timestamp(); END $$;`);
  migrations = makeMigrations({ '001_stamp': 'ALTER TABLE t ADD COLUMN stamped_at timestamptz DEFAULT slow_now();' });
});

afterAll(async () => {
  app?.unmount();
  await controller?.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
  rmSync(migrations, { recursive: true, force: true });
});

describe('a rewrite run from the console', () => {
  test('shows the rewrite measure with an ETA under the running row', async () => {
    const ctx = new Context({ databaseUrl: db.url, migrations, journalDir: path.join(work, 'journal') });
    controller = new ConsoleController({ ctx, mode: 'demo', refreshMs: 250, backupDir: path.join(work, 'backups') });
    await controller.connect();
    controller.start();
    app = render(<App model={controller} size={{ columns: 120, rows: 30 }} onQuit={() => undefined} />);
    const screen = () => plain(app.lastFrame());
    const press = async (...keys: string[]) => {
      for (const k of keys) {
        app.stdin.write(k);
        await sleep(30);
      }
    };
    await waitFor(() => screen().includes('· 001_stamp'), `the row:\n${screen()}`, 15_000);
    await press('r');
    await waitFor(() => screen().includes('Run 001_stamp?'), `the dialog:\n${screen()}`, 60_000);
    await press(KEY.tab, KEY.enter);
    await waitFor(() => /rewriting t: \S+ \S+ of WAL for ~\S+ \S+ \d+%, ETA \d/.test(screen()), `the rewrite's measure:\n${screen()}`, 20_000);
    expect(screen()).toMatch(/▶ 001_stamp/);
  }, 90_000);
});
