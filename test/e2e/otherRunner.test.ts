// The console while another terminal runs a migration: a real CREATE INDEX CONCURRENTLY in a second
// process, the console in tmux at 80x24. Run `npm run build` first.
import { afterAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/db.js';
import { startGatedBuild } from '../helpers/gatedBuild.js';
import { Tmux, until } from './tmux.js';

const tmux = new Tmux();
afterAll(() => tmux.kill());

describe('another terminal runs a migration', () => {
  test('the Migrations row says running, with the pid, in its own row; never FAILED', async () => {
    const db = await freshDatabase('e2e_other');
    const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-e2e-other-')) };
    const build = await startGatedBuild(db.url, env);
    try {
      const s = tmux.start(['node', BIN, '--database-url', db.url, '--migrations', build.dir], {
        env: { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-e2e-con-')) },
      });
      const row = new RegExp(`▶ 1_gate_idx +pid ${build.backendPid}( 1/1)? \\d+%`);
      await until(
        () => row.test(tmux.capture(s)),
        () => `the running row with pid ${build.backendPid}:\n${tmux.capture(s)}`,
      );
      expect(tmux.capture(s)).not.toMatch(/FAILED/);
      await build.open();
      expect((await build.run).exitCode).toBe(0);
      await until(
        () => /✓ 1_gate_idx/.test(tmux.capture(s)),
        () => `the row applied:\n${tmux.capture(s)}`,
      );
      tmux.keys(s, 'q');
      await until(() => tmux.exitCode(s) !== null, 'the console to exit');
    } finally {
      await build.close();
      await db.drop();
    }
  }, 90_000);
});
