// A console run holds while a standby is behind: the Migrations pane says why on the running row, and
// L changes the lag limit for this run (journalled). A real primary and streaming standby, replay
// paused on purpose.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { Context } from '../../src/cli/context.js';
import { startReplicated, type Replicated } from '../helpers/standby.js';
import { query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { journalLines } from '../helpers/journal.js';
import { waitUntil } from '../helpers/wait.js';
import { KEY, plain, sleep, waitFor } from './harness.js';

let r: Replicated;
let work: string;
const cleanup: (() => Promise<unknown> | void)[] = [];
beforeAll(async () => {
  r = await startReplicated();
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-hold-'));
  cleanup.push(
    () => r.stop(),
    () => rmSync(work, { recursive: true, force: true }),
  );
});
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

test.each([
  [160, 40],
  [80, 24],
])('at %ix%i the running row says why the run holds, and L raises the limit for this run', async (columns, rows) => {
  const name = `app_${columns}`;
  await r.primary.createDatabase(name);
  const url = r.primary.url(name);
  const journalDir = path.join(work, `journal-${columns}`);
  const migrations = makeMigrations({ '001_a': 'CREATE TABLE a (id int);\n' });
  const ctx = new Context({ databaseUrl: url, migrations, journalDir });
  const controller = new ConsoleController({
    ctx,
    mode: 'demo',
    refreshMs: 250,
    backupDir: path.join(work, 'backups'),
    holdLimits: { maxLagMs: 1000 },
  });
  await controller.connect();
  controller.start();
  const app = render(<App model={controller} size={{ columns, rows }} onQuit={() => undefined} />);
  const screen = () => plain(app.lastFrame());
  const see = (text: string | RegExp, timeoutMs = 20_000) =>
    waitFor(
      () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())),
      () => `the console to show ${text}\n${screen()}`,
      timeoutMs,
    );
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      app.stdin.write(k);
      await sleep(30);
    }
  };
  try {
    await see(/· 001_a/);
    await r.waitCaughtUp();
    await r.pauseReplay();
    await query(url, 'CREATE TABLE filler AS SELECT g FROM generate_series(1, 20000) g');
    await waitUntil(
      'the standby to be over 1 s behind',
      async () =>
        (
          await query<{ s: number }>(
            url,
            `SELECT extract(epoch FROM replay_lag)::float8 AS s FROM pg_stat_replication WHERE application_name = 'replica-1'`,
          )
        )[0]?.s > 1.2,
      20_000,
      100,
    );
    await press('r');
    await see('Run 001_a?', 60_000);
    await press(KEY.tab, KEY.enter);
    await see(/holding: standby replica-1 is \d+ s behind \(max 1 s\)/);
    const rowLine = screen()
      .split('\n')
      .find((l) => /[·▶] 001_a/.test(l))!;
    // Where the row has room, it says why itself; a narrow pane says "holding", and the message line why.
    expect(rowLine).toMatch(columns >= 160 ? /001_a.*holding: standby replica-1 is \d+ s behind/ : /001_a.*holding/);
    if (columns < 160) expect(screen()).toMatch(/001_a: holding: standby replica-1 is \d+ s behind \(max 1 s\)/);
    expect(screen()).toContain('L lag limit');
    // still held: nothing applied
    expect((await query(url, "SELECT to_regclass('a') AS t"))[0]!.t).toBeNull();

    await press('L');
    await see('Replay-lag limit for this run');
    await see('Now: 1 s.');
    await press('1', 'h', KEY.enter);
    await see('the replay-lag limit of this run is 1 h now (was 1 s)');
    // the next check uses it: the run goes on with replay still paused
    await see(/✓ 001_a/);
    expect((await query(url, "SELECT to_regclass('a') AS t"))[0]!.t).toBe('a');
    const lines = journalLines(journalDir);
    expect(lines.filter((l) => l.action === 'run.hold-limit').map((l) => l.details)).toEqual([
      { signal: 'replay-lag', from: 1000, fromUnit: 'ms', to: 3_600_000, unit: 'ms' },
    ]);
    expect(lines.filter((l) => l.action === 'run.hold').map((l) => l.phase)).toEqual(['begin', 'end']);
  } finally {
    await r.resumeReplay();
    app.unmount();
    await controller.close();
    rmSync(migrations, { recursive: true, force: true });
  }
});
