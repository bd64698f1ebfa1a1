// Issue 25: the console shows the application's sessions queued behind the running statement, live
// (count and longest wait), while a real table rewrite holds its ACCESS EXCLUSIVE lock; and the
// frame goes on updating meanwhile (none of the console's own reads may queue behind the rewrite).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import type { ConsoleController } from '../../src/tui/controller.js';
import { client, freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { waitFor } from './harness.js';
import { runFromConsole, startConsoleOn, type ConsoleOnDb } from './consoleOnDb.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let migrations: string;
let controller: ConsoleController;
let app: ConsoleOnDb['app'];
let application: pg.Client | undefined;

beforeAll(async () => {
  db = await freshDatabase('tui_queue');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-queue-'));
  // Each row's default takes 4 ms: 3000 rows hold the table's ACCESS EXCLUSIVE lock for over 10 s.
  await query(
    db.url,
    `CREATE TABLE t (id int PRIMARY KEY, note text); INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 3000) g; ANALYZE t;
    CREATE FUNCTION slow_now() RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM pg_sleep(0.004); RETURN clock_timestamp(); END $$;`,
  );
  migrations = makeMigrations({ '001_stamp': 'ALTER TABLE t ADD COLUMN stamped_at timestamptz DEFAULT slow_now();' });
});

afterAll(async () => {
  app?.unmount();
  await controller?.close();
  await application?.end().catch(() => undefined);
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
  rmSync(migrations, { recursive: true, force: true });
});

const QUEUED = /! 1 session queued behind it, longest (\S+)/;
/** "longest 4s" -> 4; "longest 366ms" -> 0. */
const seconds = (shown: string | undefined) => (shown && /^\d+s$/.test(shown) ? Number.parseInt(shown, 10) : 0);

describe('an application session queued behind a rewrite run from the console', () => {
  test('shows the queue under the running row, its longest wait growing, while the frame keeps updating', async () => {
    const c = await startConsoleOn({ url: db.url, migrations, work, columns: 120, rows: 30 });
    ({ controller, app } = c);
    const { screen } = c;
    await runFromConsole(c, '001_stamp');
    await waitFor(() => /rewriting t/.test(screen()), 'the rewrite to run', 30_000);
    application = await client(db.url);
    const reading = application.query('SELECT count(*) FROM t');
    reading.catch(() => undefined);
    const first = (await waitFor(() => screen().match(QUEUED), 'the queued session on the screen', 10_000))!;
    // the frame is live: the wait it shows grows while the rewrite holds the table
    await waitFor(
      () => seconds(screen().match(QUEUED)?.[1]) >= seconds(first[1]) + 2,
      `the longest wait to grow past ${first[1]}`,
      10_000,
    );
    expect(screen()).toMatch(/▶ 001_stamp/);
    await reading;
  }, 120_000);
});
