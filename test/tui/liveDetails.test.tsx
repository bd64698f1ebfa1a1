// The details view (Enter) of the migration the console is running: its clock ticks while it is open.
import React from 'react';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { Context } from '../../src/cli/context.js';
import { freshDatabase } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { KEY, plain, sleep, waitFor } from './harness.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let migrations: string;
let controller: ConsoleController;
let app: ReturnType<typeof render>;

beforeAll(async () => {
  db = await freshDatabase('tui_details');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-details-'));
  migrations = makeMigrations({ '001_slow': 'CREATE TABLE slow_done (id int);\nSELECT pg_sleep(5);\n' });
});

afterAll(async () => {
  app?.unmount();
  await controller?.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
  rmSync(migrations, { recursive: true, force: true });
});

describe('details of a running migration', () => {
  test('"state: running, Ns" ticks while the view is open', async () => {
    const ctx = new Context({ databaseUrl: db.url, migrations, journalDir: path.join(work, 'journal') });
    controller = new ConsoleController({ ctx, mode: 'demo', refreshMs: 250, backupDir: path.join(work, 'backups') });
    await controller.connect();
    controller.start();
    app = render(<App model={controller} size={{ columns: 100, rows: 30 }} onQuit={() => undefined} />);
    const screen = () => plain(app.lastFrame());
    const press = async (...keys: string[]) => {
      for (const k of keys) {
        app.stdin.write(k);
        await sleep(30);
      }
    };
    await waitFor(() => screen().includes('· 001_slow'), `the row:\n${screen()}`, 15_000);
    await press('r');
    await waitFor(() => screen().includes('Run 001_slow?'), `the dialog:\n${screen()}`, 60_000);
    await press(KEY.tab, KEY.enter);
    await waitFor(() => /stmt 2\/2 SELECT pg_sleep/.test(screen()), `the running statement:\n${screen()}`, 15_000);
    await press(KEY.enter);
    const first = await waitFor(() => /state: running, (\d+)s/.exec(screen())?.[1], `the details:\n${screen()}`, 15_000);
    const later = await waitFor(() => {
      const n = /state: running, (\d+)s/.exec(screen())?.[1];
      return n !== undefined && Number(n) > Number(first) ? n : undefined;
    }, `the clock to tick past ${first}s:\n${screen()}`, 10_000);
    expect(Number(later)).toBeGreaterThan(Number(first));
  }, 90_000);
});
