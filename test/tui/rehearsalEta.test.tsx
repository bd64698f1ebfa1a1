// Issue 25: a long statement's ETA on the console came only from the rate observed now, while `run`
// uses what `rehearse --with-data` measured for that statement (same rows): the console now says
// the same, "ETA … from the rehearsal". A real rewrite; the rehearsal's line written by the
// journal's own code, as `rehearse --with-data` writes it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConsoleController } from '../../src/tui/controller.js';
import { Context } from '../../src/cli/context.js';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { waitFor } from './harness.js';
import { runFromConsole, startConsoleOn, type ConsoleOnDb } from './consoleOnDb.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let work: string;
let migrations: string;
let controller: ConsoleController;
let app: ConsoleOnDb['app'];

beforeAll(async () => {
  db = await freshDatabase('tui_reheta');
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-reheta-'));
  await query(
    db.url,
    `CREATE TABLE t (id int PRIMARY KEY, note text); INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 4000) g; ANALYZE t;
    CREATE FUNCTION slow_now() RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM pg_sleep(0.004); RETURN clock_timestamp(); END $$;`,
  );
  migrations = makeMigrations({ '001_stamp': 'ALTER TABLE t ADD COLUMN stamped_at timestamptz DEFAULT slow_now();' });
  // the rehearsal on a full copy measured 10 minutes for the statement
  const ctx = new Context({ databaseUrl: db.url, migrations, journalDir: path.join(work, 'journal') });
  const end = (await ctx.journal()).begin('rehearse', { scratch: 'sandbox', withData: true, keepGoing: false });
  end({
    outcome: 'ok',
    migrations: [{ name: '001_stamp', outcome: 'applied', durationMs: 600_000, statementMs: [600_000] }],
  });
});

afterAll(async () => {
  app?.unmount();
  await controller?.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
  rmSync(migrations, { recursive: true, force: true });
});

describe("a long statement's ETA in the console", () => {
  test("is the rehearsal's measure less the time it has run, as run says it", async () => {
    const c = await startConsoleOn({ url: db.url, migrations, work, columns: 160, rows: 30 });
    ({ controller, app } = c);
    await runFromConsole(c, '001_stamp');
    const eta = (await waitFor(
      () => c.screen().match(/, ETA (\d+)m\S* from the rehearsal/),
      "the rehearsal's ETA",
      30_000,
    ))!;
    expect(Number(eta[1])).toBeGreaterThanOrEqual(9);
    expect(c.screen()).toMatch(/▶ 001_stamp/);
  }, 120_000);
});
