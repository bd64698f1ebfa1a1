// The run dialog's safe-form line must not promise that the application waits on nothing when a
// statement of the migration has no safe form: a type change of a key (issue 28) still runs as
// written and rewrites its table. A real database.
import { afterAll, beforeAll, describe, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { USERS_AND_POSTS } from '../helpers/rewrite.js';
import { KEY } from './harness.js';
import { startConsoleOn, type ConsoleOnDb } from './consoleOnDb.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let migrations: string;
let c: ConsoleOnDb | undefined;

beforeAll(async () => {
  db = await freshDatabase('tui_safe_stops');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-stops-'));
  await query(db.url, USERS_AND_POSTS);
  migrations = makeMigrations({
    '001_ids':
      'ALTER TABLE "Post" ALTER COLUMN "id" SET DATA TYPE BIGINT;\nCREATE INDEX "Post_title_idx" ON "Post"("title");\n',
  });
});

afterAll(async () => {
  c?.app.unmount();
  await c?.controller.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
  rmSync(migrations, { recursive: true, force: true });
});

describe('the run dialog and a statement with no safe form', () => {
  test('says the statement still stops the application', async () => {
    c = await startConsoleOn({ url: db.url, migrations, work, columns: 160, rows: 40 });
    const { press, see } = c;
    await see('· 001_ids', 15_000);
    await press('r');
    await see('Run 001_ids?');
    await see(/Safe form: 2 steps; 1 statement\(s\) have no safer form and still stop the application/);
    await press(KEY.escape);
    await see('cancelled: nothing was done', 10_000);
  }, 120_000);
});
