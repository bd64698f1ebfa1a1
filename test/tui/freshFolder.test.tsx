// Nothing stale: a migration folder added after the console started (another terminal pulled it
// and applied it with `citadel-migrate run`) shows as applied, never as "missing here", and a
// pending one added shows as pending. Real database, the real CLI in a second process.
import { afterAll, describe, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { Context } from '../../src/cli/context.js';
import { freshDatabase } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli } from '../helpers/cli.js';
import { plain, waitFor } from './harness.js';

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const addMigration = (dir: string, name: string, sql: string) => {
  mkdirSync(path.join(dir, name));
  writeFileSync(path.join(dir, name, 'migration.sql'), sql);
};

describe('the migrations folder is read again when it changes', () => {
  test('folders added after start: applied elsewhere shows applied (not missing), a new one pending', async () => {
    const db = await freshDatabase('tui_fresh_folder');
    const work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-fresh-'));
    const migrations = makeMigrations({ '001_first': 'CREATE TABLE first_one (id int);\n' });
    cleanup.push(
      () => db.drop(),
      () => rmSync(work, { recursive: true, force: true }),
      () => rmSync(migrations, { recursive: true, force: true }),
    );

    const ctx = new Context({ databaseUrl: db.url, migrations, journalDir: path.join(work, 'journal') });
    const controller = new ConsoleController({
      ctx,
      mode: 'demo',
      refreshMs: 250,
      backupDir: path.join(work, 'backups'),
    });
    await controller.connect();
    controller.start();
    const app = render(<App model={controller} size={{ columns: 120, rows: 30 }} onQuit={() => undefined} />);
    cleanup.push(
      () => controller.close(),
      () => app.unmount(),
    );
    const screen = () => plain(app.lastFrame());
    const see = (text: string | RegExp, timeoutMs = 30_000) =>
      waitFor(
        () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())),
        () => `${text}\n${screen()}`,
        timeoutMs,
      );
    await see(/· 001_first/);

    // Another terminal: a pull brings two migrations; its run applies the first two.
    addMigration(migrations, '002_second', 'CREATE TABLE second_one (id int);\n');
    addMigration(migrations, '003_third', 'CREATE TABLE third_one (id int);\n');
    const other = await cli([
      'run',
      '--yes',
      '--to',
      '002_second',
      '--database-url',
      db.url,
      '--migrations',
      migrations,
    ]);
    expect(other.exitCode).toBe(0);

    await see(/✓ 002_second/);
    await see(/· 003_third/);
    expect(screen()).toMatch(/✓ 001_first/);
    expect(screen()).not.toContain('missing here');
    expect(controller.getState().migrations.items.map((m) => `${m.name}:${m.state}`)).toEqual([
      '001_first:applied',
      '002_second:applied',
      '003_third:pending',
    ]);
  });
});
