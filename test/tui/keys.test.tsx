// Every key of the key table does what its help text says, against a real database: the tests are
// generated from the table (a key without a scenario fails), and each dangerous key's dialog is
// first answered with a bare Enter, which must do nothing (the default is Cancel).
// Each scenario starts alone, on a fresh console and a database of its own copied from the state it
// needs (made once by the CLI: all pending, the first applied, step 4 failed, skipped, rolled back).
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { App } from '../../src/tui/components/App.js';
import { ConsoleController } from '../../src/tui/controller.js';
import { DETAILS_KEYS, DIALOG_KEYS, KEYS, type ActionId } from '../../src/tui/keys.js';
import { Context } from '../../src/cli/context.js';
import { adminUrl, client, freshDatabase, query, urlFor } from '../helpers/db.js';
import { cli } from '../helpers/cli.js';
import { copyBundled } from '../helpers/folders.js';
import { teamChannel, type TeamChannel } from '../helpers/teamChannel.js';
import { bytesFor, KEY, plain, sleep, waitFor } from './harness.js';

const NAMES = {
  first: '20251117022438_add_password_reset_table',
  vendor: '20251119004754_add_vendor_management_system',
  owner: '20251202_add_owner_relation_and_role_permissions',
};

let db: { name: string; url: string };
let controller: ConsoleController;
let work: string;
let quits = 0;
let app: ReturnType<typeof render>;
let sessions: pg.Client[] = [];
let migrations: string;
// The team's channel: a real HTTP server that the console's notifications reach (CITADEL_NOTIFY_URL).
let channel: TeamChannel;
const posted = () => channel.bodies as { event: string; migration: string | null; outcome: string; action?: string }[];

const screen = () => plain(app.lastFrame());
const press = async (...keys: string[]) => {
  for (const k of keys) {
    app.stdin.write(k);
    await sleep(k === KEY.escape ? 60 : 30);
  }
};
const see = (text: string | RegExp, timeoutMs = 20_000) =>
  waitFor(
    () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())),
    () => `the screen to show ${text}\n${screen()}`,
    timeoutMs,
  );
const stateOf = (name: string) => controller.getState().migrations.items.find((m) => m.name === name)?.state;
const paneIs = (title: string) => see(new RegExp(`▶ ${title}`));
const PANE_ORDER = ['Checklist', 'Migrations', 'Locks', 'Disk / size'] as const;
const focused = () => PANE_ORDER.find((t) => screen().includes(`▶ ${t}`));
/** Moves the focus to a pane with Tab, one press at a time (a press is seen before the next). */
async function focus(title: (typeof PANE_ORDER)[number]) {
  for (let i = 0; i < 4 && focused() !== title; i++) {
    const before = focused();
    await press(KEY.tab);
    await waitFor(() => focused() !== before, `the focus to move from ${before}`, 5000).catch((e: Error) => {
      throw new Error(`${e.message}\n${screen()}`);
    });
  }
  await paneIs(title);
}
const selectedRow = () =>
  screen()
    .split('\n')
    .findIndex((l) => /[│║]›/.test(l));
const selectedLine = () => screen().split('\n')[selectedRow()] ?? '';
/** Selects the row whose text matches, with ↑/↓, waiting for each move to show (by row: the text ticks). */
async function select(pattern: RegExp) {
  // A scrolled pane keeps the selection on the same screen row, and durations tick: compare row and text without digits.
  const where = () => `${selectedRow()} ${selectedLine().replace(/\d+/g, '')}`;
  const move = async (key: string) => {
    const before = where();
    await press(key);
    return waitFor(() => where() !== before, 'the selection to move', 1500).then(
      () => true,
      () => false,
    );
  };
  if (pattern.test(selectedLine())) return;
  for (let i = 0; i < 30 && (await move(KEY.up)); i++) if (pattern.test(selectedLine())) return;
  for (let i = 0; i < 30 && (await move(KEY.down)); i++) if (pattern.test(selectedLine())) return;
  throw new Error(`no row matches ${pattern}\n${screen()}`);
}

async function expectCancelledByEnter(title: string | RegExp) {
  await see(title);
  await press(KEY.enter);
  await see('cancelled: nothing was done');
}
async function lockChain(): Promise<{
  holder: pg.Client;
  holderPid: number;
  waiter: pg.Client;
  waiterPid: number;
  waiting: Promise<unknown>;
}> {
  const holder = await client(db.url);
  const waiter = await client(db.url);
  sessions.push(holder, waiter);
  await holder.query(`SET application_name = 'test-holder'`);
  await waiter.query(`SET application_name = 'test-waiter'`);
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE lockme IN ACCESS EXCLUSIVE MODE');
  const holderPid = (await holder.query('SELECT pg_backend_pid() AS p')).rows[0].p;
  const waiterPid = (await waiter.query('SELECT pg_backend_pid() AS p')).rows[0].p;
  const waiting = waiter.query('SELECT count(*) FROM lockme').catch((e: Error) => e);
  return { holder, holderPid, waiter, waiterPid, waiting };
}

// Every key of the panes' table needs one (checked below); the other scopes are exercised through them.
const scenarios: Partial<Record<ActionId, (key: string) => Promise<void>>> = {
  'run-next': async (key) => {
    await press(key);
    await expectCancelledByEnter(`Run ${NAMES.first}?`);
    expect(stateOf(NAMES.first)).toBe('pending');
    await press(key);
    await see('▶[ Cancel ]');
    await press(KEY.tab, KEY.enter);
    await waitFor(() => stateOf(NAMES.first) === 'applied', 'the first migration applied', 30_000);
    await see(/✓ 20251117022438_/);
    await see(`applied ${NAMES.first} in`);
    await waitFor(() => !controller.isRunning(), 'the run to end');
    expect(stateOf('20251118154530_sync_schema_phase30')).toBe('pending'); // only one ran
  },
  'run-all': async (key) => {
    await press(key);
    await see('Run 6 pending migrations?', 60_000);
    // The dialog lists what plan finds: step 4 uses tables only step 7 creates.
    await see(/✗ error.*organizations/);
    for (let i = 0; i < 12; i++) await press(KEY.pageDown); // the dialog scrolls; scrolling does not answer it
    await see('lock_timeout 2 s per attempt; at most 1 retry');
    await press(KEY.enter);
    await see('cancelled: nothing was done');
    await press(key, KEY.right, KEY.enter);
    // An error finding needs a second, explicit confirmation.
    await see(/plan finds \d+ errors?: run anyway\?/, 60_000);
    await press('y');
    // The guide's step 4 needs tables only step 7 creates: the run stops there with the failure and its hint.
    await waitFor(() => stateOf(NAMES.owner) === 'failed', 'step 4 failed', 40_000);
    await see(/✗ 20251202_add_owne.*FAILED/);
    await see('42P01: relation "organizations"');
    await waitFor(() => !controller.isRunning(), 'the run to end');
    expect(stateOf(NAMES.vendor)).toBe('applied');
    expect(stateOf('add_performance_indexes')).toBe('pending');
    // The team heard of it.
    await waitFor(
      () => posted().some((e) => e.event === 'migration.failed' && e.migration === NAMES.owner),
      'the failure posted',
    );
  },
  skip: async (key) => {
    await focus('Migrations');
    await select(/20251202_add_owne/);
    await press(key);
    await see(`Skip ${NAMES.owner}?`);
    await press(KEY.enter); // no reason typed: nothing happens
    await see('cancelled: nothing was done');
    await press(key, ...'fixed by hand in ticket 42'.split(''), KEY.enter);
    await waitFor(() => stateOf(NAMES.owner) === 'applied', 'the failed migration skipped');
    const journal = await controller.ctx
      .journal()
      .then(async (j) => (await import('node:fs')).readFileSync(j.file, 'utf8'));
    expect(journal).toContain('fixed by hand in ticket 42');
  },
  rollback: async (key) => {
    await focus('Migrations');
    await select(/20251119004754_/);
    await press(key);
    await see(`Roll back ${NAMES.vendor}?`);
    await see('press y to roll it back');
    await see('Later migrations stay applied:');
    await press(KEY.enter);
    await see('cancelled: nothing was done');
    expect(stateOf(NAMES.vendor)).toBe('applied');
    await press(key);
    await see('press y');
    await press('y');
    await waitFor(() => stateOf(NAMES.vendor) === 'pending', 'the vendor migration rolled back');
    const rows = await query(db.url, `SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE migration_name = $1`, [
      NAMES.vendor,
    ]);
    expect(rows[0]!.n).toBe(0);
  },
  'cancel-query': async (key) => {
    const chain = await lockChain();
    await focus('Locks');
    await see(new RegExp(`└ ${chain.waiterPid} lockme`));
    await select(new RegExp(`${chain.waiterPid}`));
    await press(key);
    await expectCancelledByEnter(`Cancel the query of session ${chain.waiterPid}?`);
    await press(key);
    await see(/query\s+SELECT count\(\*\) FROM lockme/);
    await press(KEY.tab, KEY.enter);
    const result = await chain.waiting;
    expect(String(result)).toMatch(/cancel/i);
    await see(`Cancelled the query of session ${chain.waiterPid}`);
  },
  terminate: async (key) => {
    const { holderPid, waiting } = await lockChain();
    await focus('Locks');
    await see(new RegExp(`${holderPid} ! idle in txn`));
    await select(new RegExp(`${holderPid} ! idle`));
    await press(key);
    await see(`Terminate session ${holderPid}?`);
    await see('press y to terminate it');
    await press(KEY.enter);
    await see('cancelled: nothing was done');
    expect(
      (await query(db.url, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [holderPid]))[0]!.n,
    ).toBe(1);
    await press(key, 'y');
    await see(`Terminated session ${holderPid}`);
    // Journalled as the CLI's kill is (one operation): the session with its user, application and query.
    const { readFileSync } = await import('node:fs');
    const kills = readFileSync((await controller.ctx.journal()).file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.action === 'kill' && e.phase === 'begin');
    expect(kills.at(-1)?.details).toMatchObject({
      pid: holderPid,
      how: 'terminate',
      session: { application: 'test-holder', user: expect.any(String), query: expect.any(String) },
    });
    await waiting; // the lock is released: the waiter gets its answer
    expect(
      (await query(db.url, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [holderPid]))[0]!.n,
    ).toBe(0);
  },
  verify: async (key) => {
    // Applied: step 1, step 2 and step 4, which was skipped after it failed, so its table and two
    // indexes were never created (the vendor migration was rolled back).
    await press(key);
    await see('verify: 3 expected change(s) missing: 20251202_add_owner');
    expect(controller.lastVerification?.checked).toEqual([
      NAMES.first,
      '20251118154530_sync_schema_phase30',
      NAMES.owner,
    ]);
    expect(controller.lastVerification?.missing).toHaveLength(3);
    expect(controller.lastVerification?.missing.every((m) => m.startsWith(`${NAMES.owner}: `))).toBe(true);
    expect(controller.lastVerification?.missing.join('\n')).toMatch(
      /table role_permissions[\s\S]*role_permissions_roleId_permissionId_key[\s\S]*role_permissions_permissionId_idx/,
    );
  },
  'confirm-item': async (key) => {
    await focus('Checklist');
    await select(/Store backup in safe location/);
    await see('○ Store backup in safe location');
    await press(key);
    await see('Store backup in safe location: confirmed by');
    await waitFor(
      () => controller.getState().checklist.items.find((i) => i.id === 'backup.offsite')?.status === 'confirmed',
      'the item confirmed',
    );
  },
  backup: async (key) => {
    await press(key);
    await see(/backup (verified|failed|NOT verified)/, 60_000);
    expect(screen()).toContain('backup verified: ');
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(path.join(work, 'backups')).filter((f) => f.endsWith('.dump'))).toHaveLength(1);
  },
  'run-action': async (key) => {
    await focus('Checklist');
    await select(/Run smoke tests/);
    await press(key);
    await expectCancelledByEnter('Run the action smoke-test?');
    await press(key);
    await see('./scripts/smoke-tests.sh');
    await press(KEY.tab, KEY.enter);
    // The bundled runbook's smoke test is the guide's script, absent here: the failure says so.
    await waitFor(
      () => /smoke-test was not found/.test(controller.getState().message?.text ?? ''),
      'the action to fail',
      15_000,
    );
    await see('The command "./scripts/smoke-tests.sh"');
    const journal = await controller.ctx
      .journal()
      .then(async (j) => (await import('node:fs')).readFileSync(j.file, 'utf8'));
    expect(journal).toMatch(/"action":"action".*"outcome":"missing-command"/);
    // The team heard of this action.
    await waitFor(
      () =>
        posted().some(
          (e) => e.event === 'action.finished' && e.action === 'smoke-test' && e.outcome === 'missing-command',
        ),
      'the action posted',
    );
  },
  performance: async (key) => {
    await press(key);
    await see(/performance: \d+ largest tables/, 20_000);
    const journal = await controller.ctx
      .journal()
      .then(async (j) => (await import('node:fs')).readFileSync(j.file, 'utf8'));
    expect(journal).toContain('"action":"verify.performance"');
  },
  // A run that holds, and L raising its limit, on a real standby: test/tui/holdInConsole.test.tsx.
  'hold-limit': async (key) => {
    await press(key);
    await see('L (lag limit) applies when a run with a lag limit (--max-lag) is going');
  },
  details: async (key) => {
    await focus('Migrations');
    await select(/20251117022438_/);
    await press(key);
    await see('CREATE TYPE "UserRole"');
    await see('Esc/Enter/q close');
    await press(KEY.escape);
    await see('▶ Migrations');
  },
  'next-pane': async (key) => {
    await focus('Checklist');
    await press(key);
    await paneIs('Migrations');
    await press(key);
    await paneIs('Locks');
  },
  'prev-pane': async (key) => {
    await focus('Migrations');
    await press(key);
    await paneIs('Checklist');
    await press(key);
    await paneIs('Disk / size');
  },
  up: async (key) => {
    await focus('Migrations');
    await select(/20251118154530_/);
    await press(key);
    await see(/›✓ 20251117022438_/);
    await press('j', 'k'); // the vi keys too
    await see(/›✓ 20251117022438_/);
  },
  down: async (key) => {
    await focus('Migrations');
    await select(/20251117022438_/);
    await press(key);
    await see(/›\S 20251118154530_/);
  },
  help: async (key) => {
    await press(key);
    await see('Help: keys');
    // The help is generated from the key table and scrolls like the details view: every key's help is on some page.
    let seen = screen();
    for (let i = 0; i < 6; i++) {
      await press(KEY.pageDown);
      seen += screen();
    }
    for (const b of [...KEYS, ...DETAILS_KEYS, ...DIALOG_KEYS])
      expect(seen.replace(/\s+/g, ' ')).toContain(b.help.slice(0, 30));
    await press(KEY.escape);
    await waitFor(() => !screen().includes('Help: keys'), 'the help to close');
    await see('▶ ');
  },
  top: async (key) => {
    await focus('Migrations');
    await select(/add_privacy_consent/);
    await press(key);
    await see(/›\S 20251117022438_/);
    await press('G', 'g'); // the vi keys too
    await see(/›\S 20251117022438_/);
  },
  bottom: async (key) => {
    await focus('Migrations');
    await select(/20251117022438_/);
    await press(key);
    await see(/›\S organization_module/);
  },
  'page-down': async (key) => {
    await focus('Migrations');
    await press(KEY.home, key);
    // The pane shows all seven here: a page moves to the last row.
    await see(/›\S organization_module/);
  },
  'page-up': async (key) => {
    await focus('Migrations');
    await press(KEY.end, key);
    await see(/›\S 20251117022438_/);
  },
  search: async (key) => {
    await focus('Checklist');
    await press(key, ...'PRIVACY'.split(''));
    await see(/› add_privacy_consent|›\S add_privacy_consent/);
    await press(KEY.enter);
    await paneIs('Migrations');
    await press(key, ...'nothing-like-this'.split(''));
    await see('no migration name contains "n');
    await press(KEY.escape);
    await see(/›\S add_privacy_consent/);
  },
  'search-next': async (key) => {
    await focus('Migrations');
    await press('g', '/', ...'add_p'.split(''), KEY.enter);
    await see(/›\S 20251117022438_/);
    await press(key);
    await see(/›\S add_performance_indexes/);
    await press(key);
    await see(/›\S add_privacy_consent/);
  },
  // A console opened on its own (not from console --fleet): Esc has no fleet to go back to, and says so.
  back: async (key) => {
    await press(key);
    await see('Esc (back to the fleet) applies when a target opened from console --fleet');
    expect(quits).toBe(0);
  },
  quit: async (key) => {
    const before = quits;
    await press(key);
    await waitFor(() => quits === before + 1, 'the console to quit');
  },
};

/** The database states the scenarios start from, each a template database made once by the CLI. */
type State = 'pending' | 'first' | 'failed' | 'skipped' | 'rolled-back';
const STATE_OF: Partial<Record<ActionId, State>> = {
  'run-all': 'first',
  skip: 'failed',
  rollback: 'skipped',
  verify: 'rolled-back',
  up: 'first',
};
const templates = {} as Record<State, string>;
const made: string[] = [];

async function snapshot(state: State, from: string) {
  templates[state] = `tpl_keys_${state.replace('-', '_')}_${process.pid}`;
  await query(adminUrl(), `CREATE DATABASE "${templates[state]}" TEMPLATE "${from}"`);
  made.push(templates[state]);
}

beforeAll(async () => {
  channel = await teamChannel();
  process.env.CITADEL_NOTIFY_URL = channel.url;
  migrations = copyBundled();
  const base = await freshDatabase('tui_keys');
  try {
    await query(base.url, 'CREATE TABLE lockme (id int)');
    const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-tui-keys-setup-')) };
    const cm = async (code: number, ...args: string[]) => {
      const r = await cli([...args, '--yes', '--database-url', base.url, '--migrations', migrations], { env });
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(code);
    };
    await snapshot('pending', base.name);
    await cm(0, 'run', '--to', NAMES.first);
    await snapshot('first', base.name);
    await cm(1, 'run'); // the guide's step 4 needs tables only step 7 creates
    await snapshot('failed', base.name);
    await cm(0, 'skip', NAMES.owner, '--reason', 'fixed by hand');
    await snapshot('skipped', base.name);
    await cm(0, 'rollback', NAMES.vendor, '--force');
    await snapshot('rolled-back', base.name);
  } finally {
    await base.drop();
  }
}, 180_000);

/** A console of its own on a copy of STATE, as a DBA starts it. */
async function openConsole(state: State) {
  const name = `tui_keys_${randomBytes(5).toString('hex')}`;
  await query(adminUrl(), `CREATE DATABASE "${name}" TEMPLATE "${templates[state]}"`);
  db = { name, url: urlFor(name) };
  work = mkdtempSync(path.join(os.tmpdir(), 'cm-tui-'));
  channel.bodies.length = 0;
  const ctx = new Context({ databaseUrl: db.url, migrations, journalDir: path.join(work, 'journal') });
  controller = new ConsoleController({
    ctx,
    mode: 'demo',
    refreshMs: 300,
    backupDir: path.join(work, 'backups'),
    lockTimeoutMs: 2000,
    lockRetries: 1,
  });
  await controller.connect();
  controller.start();
  app = render(<App model={controller} size={{ columns: 80, rows: 24 }} onQuit={() => quits++} />);
  await see(/[·✓✗] 20251117022438_/);
}

afterEach(async () => {
  app?.unmount();
  await controller?.close();
  for (const s of sessions) await s.end().catch(() => undefined);
  sessions = [];
  if (db) await query(adminUrl(), `DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`);
  if (work) rmSync(work, { recursive: true, force: true });
});

afterAll(async () => {
  delete process.env.CITADEL_NOTIFY_URL;
  await channel?.close();
  for (const t of made) await query(adminUrl(), `DROP DATABASE IF EXISTS "${t}" WITH (FORCE)`);
});

describe('every key does what its help text says', () => {
  test('every key of the table has a scenario, and every dangerous key asks first', () => {
    for (const b of KEYS) expect(scenarios[b.action], b.label).toBeTypeOf('function');
    expect(
      KEYS.filter((b) => b.takesMigrationLock)
        .map((b) => b.label)
        .sort(),
    ).toEqual(['R', 'b', 'r', 's']);
    expect(
      KEYS.filter((b) => b.dangerous)
        .map((b) => b.label)
        .sort(),
    ).toEqual(['C', 'K', 'R', 'a', 'b', 'r', 's']);
  });

  for (const b of KEYS) {
    test(`${b.label}: ${b.help}`, { timeout: 90_000 }, async () => {
      await openConsole(STATE_OF[b.action] ?? 'pending');
      await (scenarios[b.action] as (key: string) => Promise<void>)(bytesFor(b));
      expect(screen().split('\n').length).toBeLessThanOrEqual(23);
    });
  }

  test('a key that does not apply says when it does', async () => {
    await openConsole('pending');
    await focus('Disk / size');
    await press('s');
    await see('s (skip) applies when Migrations pane');
  });
});

describe('keys in a burst (as they arrive over SSH)', () => {
  test('Esc closing help and Tab in the same moment: the Tab still moves the focus', async () => {
    await openConsole('pending');
    await focus('Migrations');
    await press('?');
    await see('Help: keys');
    // Esc, then Tab as soon as Ink has taken the Esc as a key (the keyboard layer of the real
    // terminal splits a burst that way), before the console has drawn again.
    app.stdin.write(KEY.escape);
    await new Promise((r) => setImmediate(r));
    app.stdin.write(KEY.tab);
    await paneIs('Locks');
  });
});
