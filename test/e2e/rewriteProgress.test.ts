// A real table rewrite (ADD COLUMN ... DEFAULT of a volatile function, as clock_timestamp() is) on a
// terminal: the live line says how far it is and when it should end. Run `npm run build` first.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN } from '../helpers/cli.js';
import { query } from '../helpers/db.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/embedded.js';
import { makeMigrations } from '../helpers/folders.js';
import { Tmux, until } from './tmux.js';

const tmux = new Tmux();
// A server of its own: the measure is the server's WAL against the table's size, and other test files
// writing on the shared server fill this small table's share at once (99%, capped, and no ETA).
let server: Sandbox;
beforeAll(async () => {
  server = await startSandbox();
}, 120_000);
afterAll(async () => {
  tmux.kill();
  await server?.stop();
});

describe('run: a table rewrite shows progress', () => {
  test('the live line gives the WAL written against the table size, a percent and an ETA', async () => {
    await server.createDatabase('e2e_rewrite');
    const url = server.url('e2e_rewrite');
    // Each row's default takes 3 ms: 2000 rows make a rewrite of several seconds, on a small table.
    await query(
      url,
      `CREATE TABLE t (id int PRIMARY KEY, note text); INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g; ANALYZE t;
      CREATE FUNCTION slow_now() RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM pg_sleep(0.003); RETURN clock_timestamp(); END $$;`,
    );
    const dir = makeMigrations({ '1_stamp': 'ALTER TABLE t ADD COLUMN stamped_at timestamptz DEFAULT slow_now();' });
    try {
      const env = {
        CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-e2e-rw-')),
        NO_COLOR: '1',
        DATABASE_URL: url,
      };
      const s = tmux.start(['node', BIN, 'run', '--yes', '--migrations', dir], { env, columns: 160, rows: 24 });
      const line = await until(
        () => /rewriting t: \S+ \S+ of WAL for ~\S+ \S+ ([1-9]\d?)%, ETA (\d+\.\ds|\d+ min)/.exec(tmux.capture(s))?.[0],
        () => `the rewrite's measure:\n${tmux.capture(s)}`,
      );
      expect(line).toMatch(/ETA \d+\.\ds|ETA \d+ min/);
      await until(
        () => tmux.exitCode(s) !== null,
        () => `the run to end:\n${tmux.capture(s)}`,
        60_000,
      );
      expect(tmux.exitCode(s)).toBe(0);
      expect(tmux.capture(s)).toMatch(/✓ 1_stamp {2}\d+\.\ds/);
    } finally {
      await server.dropDatabase('e2e_rewrite');
    }
  }, 90_000);
});
