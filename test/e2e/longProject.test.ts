// The console on a real project in a real terminal (tmux at 80x24 and 120x35), LIVE mode on a
// 160-migration folder with 140 applied: End reaches the last migration, a burst of keys is not
// lost (20 j in one write; 20 k one by one as fast as tmux sends them), a session idle in a
// transaction holding a lock on the next migration's table appears before the run and is
// terminated from the Locks pane, the run dialog lists plan's findings (and an error needs a
// second confirmation), and the list follows the run. Run `npm run build` first.
import { afterAll, describe, expect, test } from 'vitest';
import { rmSync } from 'node:fs';
import os from 'node:os';
import { BIN } from '../helpers/cli.js';
import { client, freshDatabase } from '../helpers/db.js';
import { longFolder, nameOf, recordApplied } from '../tui/longFolder.js';
import { Tmux, until } from './tmux.js';

const COUNT = 160;
const APPLIED = 140;
const tmux = new Tmux();
afterAll(() => tmux.kill());

for (const [columns, rows] of [
  [80, 24],
  [120, 35],
] as const) {
  describe(`a 160-migration project in tmux at ${columns}x${rows}`, () => {
    test('End, a burst of keys, a blocker idle in transaction terminated before the run, plan findings in the dialog, the list follows the run', {
      timeout: 150_000,
    }, async () => {
      const db = await freshDatabase('e2e_long');
      // Pending: each takes a moment (so the run can be followed); the last names "Accounts", which does not exist: an error for plan.
      const extra: Record<number, string> = {};
      for (let i = APPLIED + 1; i < COUNT - 1; i++)
        extra[i] = `CREATE TABLE step_${i} (id int);\nSELECT pg_sleep(0.2);\n`;
      extra[COUNT - 1] = 'ALTER TABLE "Accounts" ADD COLUMN y int;\n';
      const folder = longFolder(COUNT, APPLIED, extra);
      const blocker = await client(db.url);
      try {
        await recordApplied(db.url, folder, APPLIED);
        const s = tmux.start(
          [
            'node',
            BIN,
            'console',
            '--database-url',
            db.url,
            '--migrations',
            folder.dir,
            '--refresh',
            '0.5',
            '--lock-timeout',
            '1s',
            '--lock-retries',
            '1',
          ],
          {
            columns,
            rows,
            env: { CITADEL_JOURNAL_DIR: os.tmpdir() + '/cm-e2e-journal' },
          },
        );
        const screen = () => tmux.capture(s);
        const see = (text: string | RegExp, timeoutMs = 30_000) =>
          until(
            () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())),
            `${text} on the screen`,
            timeoutMs,
          ).catch((e: Error) => {
            throw new Error(`${e.message}\n${screen()}`);
          });
        const selected = (i: number, sym = '\\S') => new RegExp(`›${sym} ${nameOf(i)}`);

        // Opens on the next migration to run; End reaches the last.
        await see(`Migrations ${APPLIED}/${COUNT}`);
        await see(selected(APPLIED));
        expect(
          screen()
            .split('\n')
            .filter((l) => l.trim()).length,
        ).toBeLessThanOrEqual(rows);
        tmux.keys(s, 'End');
        await see(selected(COUNT - 1));
        await see(new RegExp(`\\d+-${COUNT} of ${COUNT}`));
        tmux.keys(s, 'Home');
        await see(selected(0));

        // A burst: 20 j in one write, then 20 k one by one as fast as tmux sends them.
        tmux.type(s, 'j'.repeat(20));
        await see(selected(20));
        for (let i = 0; i < 20; i++) tmux.keys(s, 'k');
        await see(selected(0));

        // A session idle in a transaction with a lock on accounts, which the next migration alters.
        await blocker.query(`SET application_name = 'nightly-report'`);
        await blocker.query('BEGIN');
        await blocker.query('SELECT count(*) FROM accounts');
        const pid = (await blocker.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
        await see('could block');
        await see(new RegExp(`${pid} ! idle in txn`));
        tmux.keys(s, 'r');
        await see(`Run ${nameOf(APPLIED)}?`, 60_000);
        await see(`blocked now by pid ${pid}`);
        tmux.keys(s, 'Escape');
        await see('cancelled: nothing was done');
        tmux.keys(s, 'Tab');
        await see('▶ Locks');
        tmux.keys(s, 'K');
        await see(`Terminate session ${pid}?`);
        tmux.type(s, db.name);
        tmux.keys(s, 'Enter');
        await see(`Terminated session ${pid}`);
        await until(() => !screen().includes('could block'), 'the blocker to go', 10_000);

        // R: the dialog lists plan's error; it needs the database name, then y.
        tmux.keys(s, 'Tab', 'Tab', 'Tab'); // back to Migrations
        await see('▶ Migrations');
        tmux.keys(s, 'End'); // moved away: starting the run follows it again
        tmux.keys(s, 'R');
        await see(`Run ${COUNT - APPLIED} pending migrations?`, 60_000);
        for (let i = 0; i < 6; i++) tmux.keys(s, 'NPage'); // a long dialog scrolls; scrolling does not answer it
        await see(/✗ error in \S+ line 1: relation "Accounts"/);
        tmux.type(s, db.name);
        tmux.keys(s, 'Enter');
        await see(/plan finds 1 error: run anyway\?/);
        tmux.keys(s, 'y');
        const first = await until(() => /›▶ (\S+)/.exec(screen())?.[1], 'the selection on the running migration');
        await until(() => {
          const now = /›▶ (\S+)/.exec(screen())?.[1];
          return now && now !== first;
        }, 'the selection to follow the run');
        await see(new RegExp(`✗ ${nameOf(COUNT - 1).slice(0, 12)}`), 60_000);
        await see(`Migrations ${COUNT - 1}/${COUNT}`);
        // The run ends after its failure's diagnosis: then q quits without asking.
        await until(
          () => !/Migrations [^\n]*running/.test(screen()) && /R run all|v verify/.test(screen()),
          'the run to end',
          30_000,
        );
        await new Promise((r) => setTimeout(r, 500));
        tmux.keys(s, 'q');
        await until(() => tmux.exitCode(s) !== null, 'the console to exit');
        expect(tmux.exitCode(s)).toBe(0);
      } finally {
        await blocker.end().catch(() => undefined);
        await db.drop();
        rmSync(folder.dir, { recursive: true, force: true });
      }
    });
  });
}
