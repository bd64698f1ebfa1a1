// The console on a LIVE database from a monorepo's root (issue 26): the bundled runbook is shown,
// labelled, and every key that would write refuses, naming the project's schema found below.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { Context } from '../../src/cli/context.js';
import { freshDatabase, query } from '../helpers/db.js';
import { makeProject, SCHEMA_WITH_DIRECT_URL } from '../helpers/project.js';
import { KEY, plain, sleep, waitFor } from './harness.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let controller: ConsoleController;
let app: ReturnType<typeof render>;
const cwd = process.cwd();

const screen = () => plain(app.lastFrame());
const press = async (...keys: string[]) => {
  for (const k of keys) {
    app.stdin.write(k);
    await sleep(k === KEY.escape ? 60 : 30);
  }
};
const see = (text: string | RegExp) =>
  waitFor(
    () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())),
    () => `the screen to show ${text}\n${screen()}`,
    20_000,
  );

beforeAll(async () => {
  db = await freshDatabase('tui_noproject');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-noproject-'));
  const root = makeProject({ 'apps/api/prisma/schema.prisma': SCHEMA_WITH_DIRECT_URL });
  process.chdir(root); // the console's Context finds its project in the working folder, as the CLI's does
  const ctx = new Context({ databaseUrl: db.url, journalDir: path.join(work, 'journal') });
  controller = new ConsoleController({ ctx, mode: 'live', refreshMs: 300, backupDir: path.join(work, 'backups') });
  await controller.connect();
  controller.start();
  app = render(<App model={controller} size={{ columns: 200, rows: 30 }} onQuit={() => undefined} />);
  await see(/Migrations/);
});

afterAll(async () => {
  process.chdir(cwd);
  app?.unmount();
  await controller?.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

test('R, r and B refuse and name the schema below; nothing is written', async () => {
  await see('bundled CitadelBuy runbook, shown read-only');
  for (const [key, hint] of [
    ['R', 'run all'],
    ['r', 'run next'],
    ['B', 'backup'],
  ] as const) {
    await press(key);
    await see(
      `${key} (${hint}): no Prisma project here, so the bundled runbook is shown read-only; quit, then cd apps/api (or pass --schema apps/api/prisma/schema.prisma)`,
    );
  }
  while (!/▶ Migrations/.test(screen())) await press(KEY.tab);
  await press('s');
  await see('s (skip): no Prisma project here');
  expect(screen()).not.toMatch(/Skip \w+\?/);
  expect(await query(db.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);
});
