// The run dialog offers the safe form (issue 28) when it changes what the application feels, and S
// runs it as `run --rewrite` does: recorded as written, indexes built valid. A real database.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { FOUR, USERS_AND_POSTS } from '../helpers/rewrite.js';
import { checksum } from '../../src/runbook/checksum.js';
import { KEY } from './harness.js';
import { startConsoleOn, type ConsoleOnDb } from './consoleOnDb.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let migrations: string;
let c: ConsoleOnDb | undefined;

beforeAll(async () => {
  db = await freshDatabase('tui_safe_form');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-safe-'));
  await query(db.url, USERS_AND_POSTS);
  migrations = makeMigrations({ '001_four': FOUR, '002_note': 'ALTER TABLE "User" ADD COLUMN "note" text;\n' });
});

afterAll(async () => {
  c?.app.unmount();
  await c?.controller.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
  rmSync(migrations, { recursive: true, force: true });
});

describe('the run dialog and the safe form', () => {
  test('S runs the safe form, recorded as written; a migration safe as written is offered nothing', async () => {
    c = await startConsoleOn({ url: db.url, migrations, work, columns: 140, rows: 40 });
    const { screen, press, see } = c;

    await see('· 001_four', 15_000);
    await press('r');
    await see('Run 001_four?');
    await see(/Safe form: \d+ steps, the application waits on nothing longer than a lock timeout .*S runs it/);
    await press('S');
    await see('Run the safe form of 001_four?');
    await see('▶[ Cancel ]'); // Cancel stays the default
    await press(KEY.tab, KEY.enter);
    await see(/✓ 001_four/);
    await see('applied the safe form of 001_four');

    const row = await query<{ checksum: string; finished_at: Date | null }>(
      db.url,
      "SELECT checksum, finished_at FROM _prisma_migrations WHERE migration_name = '001_four'",
    );
    expect(row).toHaveLength(1);
    expect(row[0]!.checksum).toBe(checksum(FOUR));
    expect(row[0]!.finished_at).not.toBeNull();
    const idx = await query<{ name: string; valid: boolean }>(
      db.url,
      `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname IN ('User_email_key', 'Post_userId_idx') ORDER BY 1`,
    );
    expect(idx).toEqual([
      { name: 'Post_userId_idx', valid: true },
      { name: 'User_email_key', valid: true },
    ]);
    const fk = await query<{ convalidated: boolean }>(
      db.url,
      "SELECT convalidated FROM pg_constraint WHERE conname = 'Post_userId_fkey'",
    );
    expect(fk).toEqual([{ convalidated: true }]);

    // It ran step by step, as run --rewrite does (each step journalled), not the file in one go.
    const journal = readdirSync(path.join(work, 'journal'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => readFileSync(path.join(work, 'journal', f), 'utf8'))
      .join('');
    expect(journal).toContain('rewrite.step');

    // Adding a nullable column is safe as written: the dialog offers nothing, and S does nothing there.
    await press('r');
    await see('Run 002_note?');
    expect(screen()).not.toContain('Safe form');
    await press('S');
    expect(screen()).not.toContain('Run the safe form');
    await press(KEY.escape);
    await see('cancelled: nothing was done', 10_000);
  }, 120_000);
});
