// The console in a real terminal: tmux at 80x24 running the built CLI's demo (without simulated
// traffic), driven by keys, as a DBA on a bastion host would. Run `npm run build` first.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, cli } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/db.js';
import { Tmux, until } from './tmux.js';

const NAMES = [
  '20251117022438',
  '20251118154530',
  '20251119004754',
  '20251202_add_owne',
  'add_performance_indexes',
  'add_privacy_consent',
  'organization_module',
];

const tmux = new Tmux();
// The demo's own temporary folder: other files start servers of their own in the shared one meanwhile.
const demoTmp = mkdtempSync(path.join(os.tmpdir(), 'cm-e2e-demo-'));
// Run as root, the sandbox's server runs as another user, which must reach its folder through this one.
chmodSync(demoTmp, 0o755);
const demoDirs = () =>
  readdirSync(demoTmp).filter((d) => d.startsWith('citadel-demo-') || d.startsWith('citadel-sandbox-'));
let before: Set<string>;

function startDemo(): string {
  return tmux.start(['node', BIN, 'demo', '--no-traffic'], {
    env: { CITADEL_JOURNAL_DIR: os.tmpdir() + '/cm-e2e-journal', TMPDIR: demoTmp },
  });
}

const screenShows = (s: string, text: string | RegExp) =>
  typeof text === 'string' ? tmux.capture(s).includes(text) : text.test(tmux.capture(s));
const see = (s: string, text: string | RegExp, timeoutMs = 30_000) =>
  until(
    () => screenShows(s, text),
    () => `${text} on the screen:\n${tmux.capture(s)}`,
    timeoutMs,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${tmux.capture(s)}`);
  });

/** The console is up: all four panes and all seven migrations drawn. */
async function ready(s: string): Promise<string> {
  await see(s, 'Migrations 0/7');
  await see(s, '? help');
  const screen = tmux.capture(s);
  return screen;
}

async function exited(s: string): Promise<number | null> {
  const code = await until(
    () => {
      const c = tmux.exitCode(s);
      return c === null ? false : { c };
    },
    'the console to exit',
    30_000,
  );
  return code.c;
}

beforeAll(() => {
  before = new Set(demoDirs());
});

afterAll(() => {
  tmux.kill();
  rmSync(demoTmp, { recursive: true, force: true });
});

describe('the console in tmux at 80x24', () => {
  test('four panes and seven migrations; ? shows help; r then confirm applies the first; q exits 0 and restores the terminal', async () => {
    const s = startDemo();
    const screen = await ready(s);
    expect(tmux.alternateScreen(s)).toBe(true);
    const lines = screen.split('\n');
    expect(lines[0]).toMatch(/^ citadelbuy@127\.0\.0\.1 \(PG 15\.\d+\) +DEMO +user: /);
    for (const pane of ['Checklist', 'Migrations 0/7', 'Locks', 'Disk / size']) expect(screen).toContain(pane);
    for (const name of NAMES) expect(screen).toContain(name);

    tmux.keys(s, '?');
    await see(s, 'Help: keys');
    await see(s, 'run the next pending migration');
    tmux.keys(s, 'Escape');
    await see(s, 'Migrations 0/7');

    tmux.keys(s, 'r');
    await see(s, 'Run 20251117022438_add_password_reset_table?');
    await see(s, '▶[ Cancel ]');
    tmux.keys(s, 'Tab');
    await see(s, '▶[ Run it ]');
    tmux.keys(s, 'Enter');
    await see(s, /✓ 20251117022438_/);
    await see(s, 'Migrations 1/7');
    await see(s, 'applied 20251117022438_add_password_reset_table');

    tmux.keys(s, 'q');
    expect(await exited(s)).toBe(0);
    expect(tmux.alternateScreen(s)).toBe(false);
    const after = tmux.capture(s);
    expect(after).not.toContain('Migrations 1/7');
    expect(tmux.info(s, '#{cursor_flag}')).toBe('1'); // the cursor is visible again
  });

  for (const [how, send, code] of [
    ['SIGTERM', (s: string) => process.kill(tmux.pid(s), 'SIGTERM'), 143],
    ['SIGHUP (the SSH link dropped)', (s: string) => process.kill(tmux.pid(s), 'SIGHUP'), 129],
    ['Ctrl-C', (s: string) => tmux.keys(s, 'C-c'), 0],
  ] as const) {
    test(`${how} leaves the alternate screen and stops the sandbox`, async () => {
      const s = startDemo();
      await ready(s);
      send(s);
      expect(await exited(s)).toBe(code);
      expect(tmux.alternateScreen(s)).toBe(false);
    });
  }

  test('REHEARSAL: the same screens and keys on a scratch copy; the target is never written', async () => {
    const db = await freshDatabase('e2e_rehearsal');
    try {
      const s = tmux.start(['node', BIN, 'console', '--rehearsal', '--database-url', db.url], {
        env: { CITADEL_JOURNAL_DIR: os.tmpdir() + '/cm-e2e-journal' },
      });
      await ready(s);
      const screen = tmux.capture(s);
      expect(screen.split('\n')[0]).toMatch(/^ copy of e2e_reh\S+ \(PG 15\.\d+\) +REHEARSAL +user: /);
      await see(s, 'REHEARSAL on a scratch copy: the target is never written');
      tmux.keys(s, 'r');
      await see(s, 'Run 20251117022438_add_password_reset_table?');
      // Both keys in one write, as a fast typist or a loaded machine delivers them.
      tmux.keys(s, 'Tab', 'Enter');
      await see(s, 'Migrations 1/7');
      // The run has ended when it says so (a q during a run asks first, as it should).
      await see(s, 'applied 20251117022438_add_password_reset_table');
      tmux.keys(s, 'q');
      expect(await exited(s)).toBe(0);
      const target = await cli(['status', '--json', '--database-url', db.url]);
      expect(JSON.parse(target.stdout).migrations.every((m: { state: string }) => m.state === 'pending')).toBe(true);
    } finally {
      await db.drop();
    }
  });

  test('everything the demo made is removed on exit', async () => {
    await until(
      () => demoDirs().every((d) => before.has(d)),
      `no new sandbox or demo folder in ${demoTmp}: ${demoDirs().filter((d) => !before.has(d))}`,
      15_000,
    );
  });
});

describe('without a terminal', () => {
  test('console and demo refuse with a clear message and exit 2', async () => {
    const db = await freshDatabase('e2e_notty');
    try {
      const r = await cli(['--database-url', db.url]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('needs a terminal');
      const d = await cli(['demo']);
      expect(d.exitCode).toBe(2);
      expect(d.stderr).toContain('needs a terminal');
    } finally {
      await db.drop();
    }
  });
});
