// The console's a runs a runbook action through the same operation as `citadel-migrate action`
// (issue 27): its dialog names the exact command the CLI shows and journals (argv words quoted),
// and confirming runs it, journalled with that command and told to the team.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { freshDatabase } from '../helpers/db.js';
import { copyBundled } from '../helpers/folders.js';
import { teamChannel, type TeamChannel } from '../helpers/teamChannel.js';
import { startConsoleOn, type ConsoleOnDb } from './consoleOnDb.js';
import { KEY, waitFor } from './harness.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let channel: TeamChannel;
let c: ConsoleOnDb;
const COMMAND = ['sh', '-c', 'echo checking orders; echo all good'];
const SHOWN = "sh -c 'echo checking orders; echo all good'";

const see = (text: string) =>
  waitFor(
    () => c.screen().includes(text),
    () => `the screen to show ${text}\n${c.screen()}`,
    20_000,
  );

beforeAll(async () => {
  channel = await teamChannel();
  process.env.CITADEL_NOTIFY_URL = channel.url;
  db = await freshDatabase('tui_action');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-action-'));
  const migrations = copyBundled();
  const runbook = path.join(migrations, 'runbook.yaml');
  const doc = parse(readFileSync(runbook, 'utf8'));
  doc.actions['smoke-test'].command = COMMAND;
  writeFileSync(runbook, stringify(doc));
  c = await startConsoleOn({ url: db.url, migrations, work, columns: 160, rows: 50 });
  await see('Run smoke tests');
});

afterAll(async () => {
  delete process.env.CITADEL_NOTIFY_URL;
  c?.app.unmount();
  await c?.controller.close();
  await channel?.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

test('a on "Run smoke tests": the dialog shows the command as the CLI quotes it, and runs exactly that', async () => {
  for (let i = 0; i < 4 && !c.screen().includes('▶ Checklist'); i++) await c.press(KEY.tab);
  for (let i = 0; i < 40 && !/›.*Run smoke tests/.test(c.screen()); i++) await c.press(KEY.down);
  await c.press('a');
  await see('Run the action smoke-test?');
  await see(`Run smoke tests: runs on this machine: ${SHOWN}`);
  await see('[ Run smoke-test ]');
  await c.press(KEY.tab, KEY.enter);
  await waitFor(
    () => /smoke-test done in/.test(c.controller.getState().message?.text ?? ''),
    () => `the action to finish\n${c.screen()}`,
    20_000,
  );
  const journal = readFileSync((await c.controller.ctx.journal()).file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const begin = journal.find((l) => l.action === 'action' && l.phase === 'begin');
  expect(begin.details).toMatchObject({ name: 'smoke-test', command: SHOWN });
  const end = journal.find((l) => l.action === 'action' && l.phase === 'end');
  expect(end.result).toMatchObject({ outcome: 'ok', output: 'checking orders\nall good\n' });
  await waitFor(
    () => channel.bodies.some((b) => (b as { event?: string }).event === 'action.finished'),
    'the team told',
  );
  expect(channel.bodies).toContainEqual(
    expect.objectContaining({ event: 'action.finished', action: 'smoke-test', outcome: 'ok' }),
  );
});
