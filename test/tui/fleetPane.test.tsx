import { describe, it, expect } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FleetPane } from '../../src/tui/fleet/FleetPane.js';
import { FileLedger, fleetLedgerFile } from '../../src/fleet/fileLedger.js';
import { parseTargetLines } from '../../src/fleet/targets.js';
import { readMigrationsFolder } from '../../src/runbook/folder.js';
import { fleetIdFor } from '../../src/operations/fleet.js';
import { watchFleet } from '../../src/operations/fleetWatch.js';
import { makeMigrations } from '../helpers/folders.js';
import { waitFor } from './harness.js';
import { tmp } from '../fleet/fleetHelpers.js';

describe('console --fleet: the Fleet pane', () => {
  it('shows each target and the counts; p pauses the runner (journalled), r resumes, f filters', async () => {
    const dir = makeMigrations({ '20240101000000_init': 'CREATE TABLE t (id int);' });
    const { targets } = parseTargetLines(
      ['a1 postgresql://m@db-a:5432/t1', 'a2 postgresql://m@db-a:5432/t2', 'b1 postgresql://m@db-b:5432/t3'].join('\n'),
      'targets',
    );
    const journalDir = tmp('cm-fleet-pane-');
    const fleet = fleetIdFor(await readMigrationsFolder(dir), targets);
    // the runner's side: a real file ledger, one target failed, one running
    const runner = new FileLedger(fleetLedgerFile(journalDir, fleet), fleet, 'runner-1');
    await runner.open(
      targets.map((t, i) => ({ name: t.name, target: t.target.redacted, server: t.server, wave: 0, position: i })),
    );
    const first = await runner.claim(1, 0);
    if (!('claimed' in first)) throw new Error('nothing claimed');
    await runner.finish(first.claimed.row.name, {
      state: 'failed',
      durationMs: 1200,
      migration: '20240101000000_init',
      error: 'relation "t" already exists',
    });
    const second = await runner.claim(1, 0);
    if (!('claimed' in second)) throw new Error('nothing claimed');
    await runner.progress(second.claimed.row.name, '20240101000000_init');

    const watch = await watchFleet({ migrationsDir: dir, targets, journalDir });
    const ui = render(<FleetPane watch={watch} refreshMs={100} />);
    try {
      const frame = () => ui.lastFrame() ?? '';
      await waitFor(() => frame().includes('1 pending · 1 running · 0 applied · 1 failed'), 'the counts');
      expect(frame()).toMatch(/a1 +failed +20240101000000_init +1\.2 s +relation "t" already exists/);
      expect(frame()).toMatch(/a2 +running +20240101000000_init/);
      expect(frame()).toMatch(/b1 +pending/);

      ui.stdin.write('p');
      await waitFor(() => frame().includes('PAUSED'), 'the pause');
      expect(frame()).toContain('Paused: no new target starts; running ones finish.');
      await runner.finish(second.claimed.row.name, { state: 'applied', durationMs: 900, applied: 1 });
      expect(await runner.claim(1, 0)).toEqual({ wait: true });
      const journal = readFileSync(path.join(journalDir, `fleet-${fleet}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(journal.map((l) => l.action)).toEqual(['fleet.paused']);

      ui.stdin.write('r');
      await waitFor(() => frame().includes('Resumed.') && !frame().includes('PAUSED'), 'the resume');
      const next = await runner.claim(1, 0);
      expect('claimed' in next && next.claimed.row.name).toBe('b1');

      ui.stdin.write('f');
      ui.stdin.write('f');
      await waitFor(() => frame().includes('f filter (running)') && /b1 +running/.test(frame()), 'the running filter');
      expect(frame()).not.toMatch(/a1 +failed/);
      const lines = readFileSync(path.join(journalDir, `fleet-${fleet}.jsonl`), 'utf8')
        .trim()
        .split('\n');
      expect(lines.map((l) => JSON.parse(l).action)).toEqual(['fleet.paused', 'fleet.resumed']);
    } finally {
      ui.unmount();
      await runner.close();
    }
  });
});
