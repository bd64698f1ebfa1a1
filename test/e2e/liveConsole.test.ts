// The console on a LIVE database and in PLAN mode, in a real terminal (tmux, 80x24), as a DBA on a
// bastion host uses it: the database name typed to act, a real blocker terminated, PLAN refusing
// to write. Run `npm run build` first.
import { afterAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, cli } from '../helpers/cli.js';
import { client, freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { Tmux, until } from './tmux.js';

const tmux = new Tmux();
afterAll(() => tmux.kill());

const see = (s: string, text: string | RegExp, timeoutMs = 30_000) =>
  until(
    () => (typeof text === 'string' ? tmux.capture(s).includes(text) : text.test(tmux.capture(s))),
    () => `${text} on the screen:\n${tmux.capture(s)}`,
    timeoutMs,
  );
const alive = async (url: string, pid: number) =>
  (await query(url, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length === 1;
const applied = async (url: string) =>
  (
    await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL')
  )[0]!.n;

describe('LIVE and PLAN in tmux at 80x24', () => {
  test('LIVE: a blocker idle in transaction is terminated only with the database name typed, then the run needs it too', async () => {
    const db = await freshDatabase('e2e_live');
    const dir = makeMigrations({
      '1_accounts': 'CREATE TABLE accounts (id int);',
      '2_note': 'ALTER TABLE accounts ADD COLUMN note text;',
    });
    const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-e2e-live-')) };
    expect(
      (await cli(['run', '--yes', '--to', '1_accounts', '--database-url', db.url, '--migrations', dir], { env }))
        .exitCode,
    ).toBe(0);
    const holder = await client(db.url);
    try {
      await holder.query(`SET application_name = 'nightly-report'; BEGIN; SELECT count(*) FROM accounts`);
      const pid = (await holder.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
      const s = tmux.start(['node', BIN, '--database-url', db.url, '--migrations', dir], { env });
      await see(s, / LIVE /);
      await see(s, new RegExp(`${pid} ! idle in txn`));
      // to the Locks pane (Checklist, Migrations, Locks)
      for (let i = 0; i < 4 && !/▶ Locks/.test(tmux.capture(s)); i++) {
        tmux.keys(s, 'Tab');
        await new Promise((r) => setTimeout(r, 150));
      }
      await see(s, new RegExp(`›${pid} `));
      tmux.keys(s, 'K');
      await see(s, `Terminate session ${pid}?`);
      await see(s, `type ${db.name} and Enter to terminate it`);
      tmux.type(s, 'y');
      tmux.keys(s, 'Enter');
      await see(s, 'cancelled: nothing was done');
      expect(await alive(db.url, pid)).toBe(true);
      tmux.keys(s, 'K');
      await see(s, `Terminate session ${pid}?`);
      tmux.type(s, db.name);
      tmux.keys(s, 'Enter');
      await see(s, `Terminated session ${pid}`);
      expect(await alive(db.url, pid)).toBe(false);
      // The run asks for the name too; a wrong one applies nothing.
      tmux.keys(s, 'r');
      await see(s, 'Run 2_note?');
      await see(s, `type ${db.name} and Enter to Run it`);
      tmux.type(s, 'yes');
      tmux.keys(s, 'Enter');
      await see(s, 'cancelled: nothing was done');
      expect(await applied(db.url)).toBe(1);
      tmux.keys(s, 'r');
      await see(s, 'Run 2_note?');
      tmux.type(s, db.name);
      tmux.keys(s, 'Enter');
      await see(s, 'Migrations 2/2');
      expect(await applied(db.url)).toBe(2);
      // The run has ended when it says so (a q during a run asks first, as it should).
      await see(s, 'applied 2_note');
      tmux.keys(s, 'q');
      await until(() => tmux.exitCode(s) !== null, 'the console to exit');
      expect(tmux.exitCode(s)).toBe(0);
    } finally {
      await holder.end().catch(() => undefined);
      await db.drop();
    }
  });

  test('PLAN: the same screens on the target; every key that would write refuses, and nothing is written', async () => {
    const db = await freshDatabase('e2e_plan');
    const dir = makeMigrations({ '1_accounts': 'CREATE TABLE accounts (id int);' });
    const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-e2e-plan-')) };
    try {
      const s = tmux.start(['node', BIN, 'console', '--plan', '--database-url', db.url, '--migrations', dir], { env });
      await see(s, / PLAN /);
      await see(s, 'Migrations 0/1');
      // Each key's own refusal (the one before stays on screen 10 s, so the words are each key's), then
      // ? and its help view: a dialog opened by the key would be drawn before it, and would have taken
      // the ?. Every frame looked at on the way is kept, and none may show a dialog.
      const frames: string[] = [];
      const seeKept = (text: string) =>
        until(
          () => {
            frames.push(tmux.capture(s));
            return frames.at(-1)!.includes(text);
          },
          `${text} on the screen:\n${frames.at(-1)}`,
        );
      for (const [key, hint] of [
        ['r', 'run next'],
        ['R', 'run all'],
        ['B', 'backup'],
      ] as const) {
        tmux.keys(s, key);
        await seeKept(`${key} (${hint}): PLAN is a dry run and writes nothing`);
        tmux.keys(s, '?');
        await seeKept('Help: keys');
        tmux.keys(s, 'Escape');
        await until(() => !tmux.capture(s).includes('Help: keys'), 'the help view to close');
      }
      const dialogs = frames.filter((f) =>
        /Run 1_accounts\?|Run \d+ pending migrations\?|backup: |backup (NOT )?verified/.test(f),
      );
      expect(dialogs, dialogs[0]).toEqual([]);
      tmux.keys(s, 'q');
      await until(() => tmux.exitCode(s) !== null, 'the console to exit');
      expect(tmux.exitCode(s)).toBe(0);
      expect(
        (await query<{ t: string | null }>(db.url, `SELECT to_regclass('_prisma_migrations')::text AS t`))[0]!.t,
      ).toBeNull();
    } finally {
      await db.drop();
    }
  });
});
