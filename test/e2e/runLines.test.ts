// `run` on a real terminal of 80 columns (tmux): the live progress line stays one row, redrawn in
// place, and the migration leaves one summary line. Run `npm run build` first.
import { afterAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/db.js';
import { gateSetup } from '../helpers/gatedBuild.js';
import { Tmux, until } from './tmux.js';

const tmux = new Tmux();
afterAll(() => tmux.kill());

const rows = (screen: string) =>
  screen
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean);

describe('run at 80 columns', () => {
  test('a slow index build with a long name: one live row while it runs, one summary line after', async () => {
    const db = await freshDatabase('e2e_lines');
    const name = '20240115093000_add_customer_lifetime_value_index';
    const gate = await gateSetup(db.url, name);
    try {
      const env = {
        CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-e2e-lines-')),
        NO_COLOR: '1',
        DATABASE_URL: db.url,
      };
      const s = tmux.start(['node', BIN, 'run', '--yes', '--migrations', gate.dir], { env, columns: 80, rows: 24 });
      // Redrawn for a while (the clock ticks past 2 s) with the build's phase on it.
      const live = await until(
        () => {
          const screen = tmux.capture(s);
          return /building index/.test(screen) && /\b[2-9]\.\ds\b/.test(screen) ? screen : false;
        },
        () => `the live line past 2 s:\n${tmux.capture(s)}`,
      );
      const liveRows = rows(live).filter((l) => /▶|CREATE|gate|building|scanning/.test(l));
      expect(liveRows, live).toHaveLength(1);
      expect(liveRows[0]!.length).toBeLessThan(80);
      expect(liveRows[0]).toMatch(
        /^▶ 2024\w*…\w*_index {2}1\/1 \d+% {2}\d+\.\ds {2}building index: scanning table \d+%/,
      );
      // What is cut is cut after a whole word, with an ellipsis.
      if (liveRows[0]!.endsWith('…')) {
        const last = liveRows[0]!.slice(0, -1).trimEnd().split(' ').pop();
        const whole = [
          'CREATE',
          'INDEX',
          'CONCURRENTLY',
          't_gate_idx',
          'ON',
          't',
          '(gate(id));',
          'scanning',
          'table',
          'index:',
          'building',
          'ETA',
          'from',
          'the',
          'observed',
          'rate',
        ];
        expect(whole.includes(last!) || /^\d+%,?$|^\d+\.\ds$/.test(last!), `cut inside a word: ${liveRows[0]}`).toBe(
          true,
        );
      }
      await gate.open();
      await until(
        () => tmux.exitCode(s) !== null,
        () => `the run to end:\n${tmux.capture(s)}`,
      );
      expect(tmux.exitCode(s)).toBe(0);
      const after = rows(tmux.capture(s));
      // "1 migration to apply", the lock policy (wrapped at words), the migration's line, the run's: nothing else.
      expect(
        after.filter((l) => l.includes(name)),
        after.join('\n'),
      ).toEqual([expect.stringMatching(new RegExp(`^✓ ${name} {2}\\d+\\.\\ds$`))]);
      expect(
        after.every((l) => l.length <= 80 && !/\S…\S/.test(l)),
        after.join('\n'),
      ).toBe(true);
      expect(after.length, after.join('\n')).toBeLessThanOrEqual(5);
      expect(after[after.length - 1]).toMatch(/^1 applied, 0 failed, 0 not run/);
      // Wrapped at words: no row ends inside a word that the next row continues.
      const policy = after.filter((l) => /^Locks:/.test(l) || (!l.includes(name) && !/to apply$|^1 applied/.test(l)));
      expect(policy.length).toBeGreaterThan(1);
      for (const l of policy.slice(0, -1))
        expect(l.length + policy[policy.indexOf(l) + 1]!.split(' ')[0]!.length + 1).toBeGreaterThan(80);
    } finally {
      await gate.open();
      await db.drop();
    }
  }, 90_000);
});
