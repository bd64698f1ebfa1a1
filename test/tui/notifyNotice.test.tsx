// Issue 24, finding 14: a --notify that cannot deliver is said on the screen once. The CLI printed
// it on stderr; the console, which draws its own screen, had no place for it and the DBA was
// never told that the team did not hear of the run. It now shows on the console's message line.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { teamChannel } from '../helpers/teamChannel.js';
import { runFromConsole, startConsoleOn, type ConsoleOnDb } from './consoleOnDb.js';
import { waitFor } from './harness.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let c: ConsoleOnDb | undefined;
beforeAll(async () => {
  db = await freshDatabase('notifynotice');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-notify-notice-'));
});
afterAll(async () => {
  c?.app.unmount();
  await c?.controller.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

test('a notification that cannot be delivered is said on the message line', async () => {
  // a channel that was there and is gone: its port refuses connections
  const gone = await teamChannel();
  await gone.close();
  const migrations = makeMigrations({ '1_a': 'CREATE TABLE notice_a (id int);' });
  c = await startConsoleOn({ url: db.url, migrations, work, columns: 120, rows: 30, notify: [gone.url] });
  await runFromConsole(c, '1_a');
  // the path is shown hashed (it may hold a token), on the screen as in the journal
  await waitFor(
    () =>
      /The team's channel http:\/\/127\.0\.0\.1:\d+\/… \(path \w+\) could not be told of run\.started/.test(
        c!.screen(),
      ),
    'the notice on the screen',
    30_000,
  );
  expect(c.screen()).not.toContain('/hooks/citadel');
});
