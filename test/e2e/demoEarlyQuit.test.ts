// Issue 25: q in the demo's first seconds on screen took 1.8-2.4 s: the console reads the run
// dialog's plan ahead (every pending migration parsed by PostgreSQL's parser, in WebAssembly, on
// the main loop), and q waited behind the whole of it. The demo in tmux on the bundled runbook and
// a few more pending migrations (a long project: the parse takes seconds), q at its first frame.
import { afterAll, describe, expect, test } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN } from '../helpers/cli.js';
import { copyBundled } from '../helpers/folders.js';
import { Tmux, until } from './tmux.js';

const tmux = new Tmux();
afterAll(() => tmux.kill());

/**
 * q to exit while 24,000 statements are parsed ahead: three seconds at most. This guards against a
 * demo that does not quit (it waited for the whole read before); the one second promised is measured
 * by `npm run bench -- quit`. A project this large is now read on a worker thread (analysis/offThread.ts).
 */
const QUIT_BOUND_MS = 3000;

/** The bundled runbook and 8 more pending migrations of 3,000 statements each. */
function longProject(): string {
  const dir = copyBundled();
  for (let m = 1; m <= 8; m++) {
    const name = `20260101000${m}_extra_${m}`;
    mkdirSync(path.join(dir, name));
    const sql = Array.from(
      { length: 3000 },
      (_, i) =>
        `CREATE TABLE extra_${m}_${i} (id int PRIMARY KEY, name text NOT NULL DEFAULT 'x', at timestamptz DEFAULT now());`,
    ).join('\n');
    writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

describe('the demo quits within a second of q', { timeout: 240_000 }, () => {
  test('at its first frame, before and while the plan of a long project is read ahead', async () => {
    const s = tmux.start(['node', BIN, 'demo', '--no-traffic', '--migrations', longProject()], {
      columns: 100,
      rows: 30,
      env: { CITADEL_JOURNAL_DIR: `${os.tmpdir()}/cm-e2e-journal` },
    });
    await until(() => /Migrations 0\/15/.test(tmux.capture(s)), 'the first frame with the migrations', 90_000);
    const t0 = performance.now();
    tmux.keys(s, 'q');
    const { code } = await until(
      () => {
        const c = tmux.exitCode(s);
        return c === null ? false : { code: c };
      },
      'the demo to exit',
      90_000,
    );
    const ms = Math.round(performance.now() - t0);
    expect(code).toBe(0);
    expect(ms, 'ms from q to the exit').toBeLessThan(QUIT_BOUND_MS);
  });
});
