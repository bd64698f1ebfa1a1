import { describe, it, expect } from 'vitest';
import { render } from 'ink-testing-library';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FleetPane } from '../../src/tui/fleet/FleetPane.js';
import { connectTargetConsole } from '../../src/tui/fleet/targetConsole.js';
import { App } from '../../src/tui/components/App.js';
import { FileLedger, fleetLedgerFile } from '../../src/fleet/fileLedger.js';
import { parseTargetLines } from '../../src/fleet/targets.js';
import { readMigrationsFolder } from '../../src/runbook/folder.js';
import { fleetIdFor } from '../../src/operations/fleet.js';
import { watchFleet } from '../../src/operations/fleetWatch.js';
import { makeMigrations } from '../helpers/folders.js';
import { KEY, plain, sleep, waitFor } from './harness.js';
import { freshDatabase, query } from '../helpers/db.js';
import { waitUntil } from '../helpers/wait.js';
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
  it("Enter opens the selected target's own console read-only; Esc and q come back to the fleet", async () => {
    const dir = makeMigrations({
      '20240101000000_init': 'CREATE TABLE t (id int);',
      '20240102000000_more': 'CREATE TABLE u (id int);',
    });
    const a = await freshDatabase('fl_pane_a');
    const b = await freshDatabase('fl_pane_b');
    const { targets } = parseTargetLines(`a1 ${a.url}\nb1 ${b.url}`, 'targets');
    const journalDir = tmp('cm-fleet-pane-');
    const fleet = fleetIdFor(await readMigrationsFolder(dir), targets);
    const runner = new FileLedger(fleetLedgerFile(journalDir, fleet), fleet, 'runner-1');
    await runner.open(
      targets.map((t, i) => ({ name: t.name, target: t.target.redacted, server: t.server, wave: 0, position: i })),
    );
    const watch = await watchFleet({ migrationsDir: dir, targets, journalDir });
    const opened: string[] = [];
    const ui = render(<FleetPane watch={watch} refreshMs={100} onOpen={(name) => opened.push(name)} />);
    const frame = () => plain(ui.lastFrame());
    const press = async (k: string) => {
      ui.stdin.write(k);
      await sleep(30);
    };
    let target: ReturnType<typeof render> | undefined;
    let controller: Awaited<ReturnType<typeof connectTargetConsole>> | undefined;
    try {
      await waitFor(() => /› a1 +pending/.test(frame()), 'the first row selected');
      expect(frame()).toContain('Enter open · f filter (all) · p pause · r resume · q quit');
      await press(KEY.down);
      await waitFor(() => /› b1 +pending/.test(frame()), 'the second row selected');
      await press(KEY.enter);
      await waitFor(() => opened.length > 0, 'Enter to open the row');
      expect(opened).toEqual(['b1']);
      ui.unmount();

      // b1's own console, as the fleet console opens it: its database, its pending migrations, read-only
      controller = await connectTargetConsole(watch, 'b1', 250);
      const backs: string[] = [];
      target = render(
        <App
          model={controller}
          size={{ columns: 120, rows: 30 }}
          onQuit={() => backs.push('q')}
          onBack={() => backs.push('Esc')}
        />,
      );
      const screen = () => plain(target!.lastFrame());
      await waitFor(
        () => screen().includes(`b1 (fleet ${fleet}, read-only)`) && screen().includes('20240102000000_more'),
        "b1's console",
        20_000,
      );
      expect(screen()).toContain('PLAN');
      expect(screen()).toContain('Esc back to the fleet');
      target.stdin.write('R');
      await waitFor(() => screen().includes('PLAN is a dry run and writes nothing'), 'the refusal');
      const history = await query<{ t: string | null }>(b.url, "SELECT to_regclass('_prisma_migrations')::text AS t");
      expect(history[0]!.t).toBeNull();
      target.stdin.write(KEY.escape);
      await waitFor(() => backs.length === 1, 'Esc');
      target.stdin.write('q');
      await waitFor(() => backs.length === 2, 'q');
      expect(backs).toEqual(['Esc', 'q']);
      target.unmount();
      await controller.close();
      // back on the Fleet pane, the same row selected
      const again = render(<FleetPane watch={watch} refreshMs={100} selected="b1" />);
      await waitFor(() => /› b1 +pending/.test(plain(again.lastFrame())), 'b1 selected again');
      again.unmount();
      // the target's console is closed: no session of it is left on the database
      await waitUntil(
        'the target console to close its sessions',
        async () =>
          (
            await query<{ n: number }>(
              a.url,
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${b.name}'`,
            )
          )[0]!.n === 0,
      );
    } finally {
      ui.unmount();
      target?.unmount();
      await controller?.close();
      await runner.close();
      await a.drop();
      await b.drop();
    }
  }, 60_000);
});
