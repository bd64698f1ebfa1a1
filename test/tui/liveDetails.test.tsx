// The details view (Enter) of the migration the console is running: its clock ticks while it is open.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConsoleController } from '../../src/tui/controller.js';
import { freshDatabase } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { KEY, waitFor } from './harness.js';
import { runFromConsole, startConsoleOn, type ConsoleOnDb } from './consoleOnDb.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let migrations: string;
let controller: ConsoleController;
let app: ConsoleOnDb['app'];

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
    const c = await startConsoleOn({ url: db.url, migrations, work, columns: 100, rows: 30 });
    ({ controller, app } = c);
    const { screen, press } = c;
    await runFromConsole(c, '001_slow');
    await waitFor(
      () => /stmt 2\/2 SELECT pg_sleep/.test(screen()),
      () => `the running statement:\n${screen()}`,
      15_000,
    );
    await press(KEY.enter);
    const first = await waitFor(
      () => /state: running, (\d+)s/.exec(screen())?.[1],
      () => `the details:\n${screen()}`,
      15_000,
    );
    const later = await waitFor(
      () => {
        const n = /state: running, (\d+)s/.exec(screen())?.[1];
        return n !== undefined && Number(n) > Number(first) ? n : undefined;
      },
      () => `the clock to tick past ${first}s:\n${screen()}`,
      10_000,
    );
    expect(Number(later)).toBeGreaterThan(Number(first));
  }, 90_000);
});
