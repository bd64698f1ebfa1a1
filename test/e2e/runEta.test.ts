// `run` on a real terminal (tmux) after `rehearse --with-data`: the live line's ETA for the long
// statement comes from the rehearsal's measure, read from the journal, and says so. Run `npm run
// build` first.
import { afterAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, cli } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/db.js';
import { gateSetup } from '../helpers/gatedBuild.js';
import { Tmux, until } from './tmux.js';

const tmux = new Tmux();
afterAll(() => tmux.kill());

describe('run after a rehearsal with data', () => {
  test("the long statement's ETA comes from the rehearsal's measure, not the observed rate", async () => {
    const db = await freshDatabase('e2e_eta');
    // The gate holds the build on the target only: advisory locks are per database, so the
    // rehearsal's copy builds the index at once and its measure is short.
    const gate = await gateSetup(db.url, '1_eta_idx');
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-e2e-eta-'));
    try {
      const r = await cli([
        'rehearse',
        '--with-data',
        '--scratch',
        'server',
        '--database-url',
        db.url,
        '--migrations',
        gate.dir,
        '--journal-dir',
        journalDir,
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
      const env = { CITADEL_JOURNAL_DIR: journalDir, NO_COLOR: '1', DATABASE_URL: db.url };
      const s = tmux.start(['node', BIN, 'run', '--yes', '--migrations', gate.dir], { env, columns: 200, rows: 24 });
      const live = await until(
        () => {
          const screen = tmux.capture(s);
          return /building index/.test(screen) && /\b[2-9]\.\ds\b/.test(screen) ? screen : false;
        },
        () => `the live line past 2 s:\n${tmux.capture(s)}`,
      );
      expect(live).toMatch(/over the rehearsal's \d+\.\ds/);
      expect(live).not.toContain('observed rate');
      await gate.open();
      await until(
        () => tmux.exitCode(s) !== null,
        () => `the run to end:\n${tmux.capture(s)}`,
      );
      expect(tmux.exitCode(s)).toBe(0);
    } finally {
      await gate.open();
      await db.drop();
    }
  }, 90_000);
});
