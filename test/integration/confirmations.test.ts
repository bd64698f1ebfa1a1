// The same confirmation on both front ends (issue 13): on a LIVE database, run, skip, rollback and
// kill --terminate ask for the database name typed on a terminal; a wrong name changes nothing.
// The console's side is in test/tui/liveConfirmations.test.tsx.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, client, query } from '../helpers/db.js';

type TestDb = Awaited<ReturnType<typeof freshDatabase>>;
import { copyBundled, makeMigrations } from '../helpers/folders.js';
import { parse, stringify } from 'yaml';
import { BIN, CLI_ENV } from '../helpers/cli.js';

let db: TestDb;
let dir: string;

/** The command on a real terminal (script(1) gives it a pty), with TYPED as the answer. */
function onTerminal(args: string[], typed: string) {
  const quoted = ['node', BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return execa('script', ['-qec', quoted, '/dev/null'], {
    input: `${typed}\n`,
    reject: false,
    env: { ...CLI_ENV, DATABASE_URL: db.url },
    extendEnv: true,
    timeout: 60_000,
  });
}

const applied = async () =>
  (await query<{ t: string | null }>(db.url, `SELECT to_regclass('_prisma_migrations')::text AS t`))[0]!.t === null
    ? []
    : (
        await query<{ name: string }>(
          db.url,
          `SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1`,
        )
      ).map((r) => r.name);

beforeAll(async () => {
  db = await freshDatabase('confirm');
  dir = makeMigrations({
    '1_a': { up: 'CREATE TABLE a (id int);', down: 'DROP TABLE a;' },
    '2_b': { up: 'CREATE TABLE b (id int);', down: 'DROP TABLE b;' },
  });
});
afterAll(async () => db?.drop());

describe('on a LIVE database the CLI asks for the database name typed', () => {
  it('run: a wrong name applies nothing, the right one applies', async () => {
    const wrong = await onTerminal(['run', '--to', '1_a', '--migrations', dir], 'yes');
    expect(wrong.exitCode, String(wrong.stdout)).toBe(2);
    expect(String(wrong.stdout)).toMatch(
      new RegExp(
        `Run 1_a\\?[\\s\\S]*Type the database name \\(${db.name}\\) to run it:[\\s\\S]*Nothing was applied\\.`,
      ),
    );
    expect(await applied()).toEqual([]);
    const right = await onTerminal(['run', '--to', '1_a', '--migrations', dir], db.name);
    expect(right.exitCode, String(right.stdout)).toBe(0);
    expect(await applied()).toEqual(['1_a']);
  });

  it('skip and rollback: y is not enough', async () => {
    const skipY = await onTerminal(['skip', '2_b', '--reason', 'made by hand', '--migrations', dir], 'y');
    expect(skipY.exitCode).toBe(2);
    expect(String(skipY.stdout)).toMatch(
      /Mark 2_b applied WITHOUT running its SQL[\s\S]*Reason: made by hand[\s\S]*Type the database name/,
    );
    expect(await applied()).toEqual(['1_a']);
    const back = await onTerminal(['rollback', '1_a', '--migrations', dir], 'y');
    expect(back.exitCode).toBe(2);
    expect(await applied()).toEqual(['1_a']);
    const backTyped = await onTerminal(['rollback', '1_a', '--migrations', dir], db.name);
    expect(backTyped.exitCode, String(backTyped.stdout)).toBe(0);
    expect(await applied()).toEqual([]);
  });

  it('kill --terminate: the session is shown and survives a wrong name; a cancel takes a y', async () => {
    const holder = await client(db.url);
    try {
      await holder.query(`SET application_name = 'holder'; BEGIN; SELECT 1`);
      const pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const wrong = await onTerminal(['kill', String(pid), '--terminate'], 'y');
      expect(wrong.exitCode).toBe(1);
      expect(String(wrong.stdout)).toMatch(
        new RegExp(`Terminate session ${pid}\\?[\\s\\S]*application  holder[\\s\\S]*Type the database name`),
      );
      expect(await query(db.url, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).toHaveLength(1);
      const right = await onTerminal(['kill', String(pid), '--terminate'], db.name);
      expect(right.exitCode, String(right.stdout)).toBe(0);
      expect(await query(db.url, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).toHaveLength(0);
    } finally {
      await holder.end().catch(() => undefined);
    }
  });
});

describe('the CLI asks what the console asks (issue 26)', () => {
  it("run: each migration's strongest lock with the table's size, plan's errors, blockers now, the lock policy; errors need a second yes", async () => {
    const d = await freshDatabase('confirm_brief');
    const folder = makeMigrations({
      '1_a': 'CREATE TABLE accounts (id int PRIMARY KEY, owner text);',
      '2_b': 'ALTER TABLE accounts ADD COLUMN balance numeric NOT NULL DEFAULT 0;',
      '3_c': 'ALTER TABLE ledger_typo ADD COLUMN note text;',
    });
    const holder = await client(d.url);
    try {
      const env = { ...CLI_ENV, DATABASE_URL: d.url };
      await execa('node', [BIN, 'run', '--yes', '--to', '1_a', '--migrations', folder], { env, extendEnv: true });
      await query(d.url, `INSERT INTO accounts SELECT g, 'x' FROM generate_series(1, 2000) g; ANALYZE accounts`);
      await holder.query(`SET application_name = 'billing-worker'; BEGIN; SELECT count(*) FROM accounts`);
      const pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const quoted = ['node', BIN, 'run', '--lock-wait-limit', '2s', '--migrations', folder]
        .map((a) => `'${a}'`)
        .join(' ');
      // each answer typed once its question is on the screen, as a DBA does
      const child = execa('script', ['-qec', quoted, '/dev/null'], {
        reject: false,
        env,
        extendEnv: true,
        timeout: 60_000,
      });
      let seen = '';
      const answers: Array<[RegExp, string]> = [
        [/to run them: /, d.name],
        [/despite the errors\? \[y\/N\]/, 'n'],
      ];
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        while (answers.length && answers[0]![0].test(seen)) child.stdin!.write(`${answers.shift()![1]}\n`);
      });
      const r = await child;
      const out = String(r.stdout);
      expect(out).toMatch(/Run 2 pending migrations\?/);
      expect(out).toMatch(
        /· 2_b\s*\n\s+in one transaction; strongest lock ACCESS EXCLUSIVE on accounts \(\d+ kB, ~2000 rows\)/,
      );
      expect(out).toMatch(
        new RegExp(
          `! blocked now by pid ${pid} \\(billing-worker, idle in transaction, transaction open [^)]*\\): holds AccessShare on accounts`,
        ),
      );
      expect(out).toMatch(/· 3_c[\s\S]*✗ error line 1: .*ledger_typo/);
      expect(out).toMatch(/lock_timeout .* growing to/);
      expect(out).toMatch(/Type the database name \(confirm_brief_\w+\) to run them:/);
      expect(out).toMatch(
        /plan finds 1 error: run anyway\?[\s\S]*✗ 3_c line 1: [\s\S]*Run it despite the errors\? \[y\/N\]/,
      );
      expect(out).toMatch(/Nothing was applied\./);
      expect(r.exitCode).toBe(2);
      expect(
        await query(
          d.url,
          `SELECT 1 FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'balance'`,
        ),
      ).toHaveLength(0);
    } finally {
      await holder.end().catch(() => undefined);
      await d.drop();
    }
  });

  it("rollback: down.sql's statements and the age of the latest verified backup", async () => {
    const d = await freshDatabase('confirm_back');
    const folder = makeMigrations({
      '1_a': {
        up: 'CREATE TABLE a (id int);\nCREATE INDEX a_id ON a (id);',
        down: '-- undo\nDROP INDEX a_id;\nDROP TABLE a;',
      },
    });
    const backups = mkdtempSync(path.join(os.tmpdir(), 'cm-confirm-backups-'));
    try {
      const env = { ...CLI_ENV, DATABASE_URL: d.url };
      await execa('node', [BIN, 'run', '--yes', '--migrations', folder], { env, extendEnv: true });
      const ask = () => {
        const quoted = ['node', BIN, 'rollback', '1_a', '--migrations', folder].map((a) => `'${a}'`).join(' ');
        return execa('script', ['-qec', quoted, '/dev/null'], {
          input: 'no\n',
          reject: false,
          env,
          extendEnv: true,
          timeout: 60_000,
        });
      };
      const before = String((await ask()).stdout);
      expect(before).toMatch(/down\.sql \(2 statements\):\s*\n\s+1\. DROP INDEX a_id\s*\n\s+2\. DROP TABLE a/);
      expect(before).toMatch(/! No verified backup of this database in the journal: `citadel-migrate backup` first/);
      const b = await execa('node', [BIN, 'backup', '--bundled', '--backup-dir', backups], {
        env,
        extendEnv: true,
        reject: false,
      });
      expect(b.exitCode, String(b.stderr)).toBe(0);
      const after = String((await ask()).stdout);
      expect(after).toMatch(
        new RegExp(
          `Latest verified backup: ${backups.replace(/[/.]/g, '\\$&')}/\\S+ \\(taken [\\d.]+ (ms|s) ago, nothing applied since\\)`,
        ),
      );
      expect(await query(d.url, `SELECT to_regclass('a')::text AS t`)).toEqual([{ t: 'a' }]);
    } finally {
      await d.drop();
    }
  });
});

describe('a runbook action is one operation (issue 27): the terminal asks its question', () => {
  it('shows the exact command and what checks it; n runs nothing, y runs it', async () => {
    const migrations = copyBundled();
    const runbook = path.join(migrations, 'runbook.yaml');
    const marker = path.join(mkdtempSync(path.join(os.tmpdir(), 'cm-confirm-action-')), 'ran');
    const doc = parse(readFileSync(runbook, 'utf8'));
    doc.actions['smoke-test'].command = ['sh', '-c', `echo checking orders; touch ${marker}`];
    writeFileSync(runbook, stringify(doc));
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-confirm-action-j-'));
    const args = ['action', 'smoke-test', '--migrations', migrations, '--journal-dir', journalDir];
    const no = await onTerminal(args, 'n');
    expect(String(no.stdout)).toMatch(
      new RegExp(
        `Run the action smoke-test\\?\\s*\\n\\s*Run smoke tests: runs on this machine: sh -c 'echo checking orders; touch ${marker.replace(/[/.]/g, '\\$&')}'[\\s\\S]*Its exit code and output are journalled\\.[\\s\\S]*Run smoke-test\\? \\[y/N\\]`,
      ),
    );
    expect(String(no.stdout)).toContain('The action smoke-test was not run: answer y to run it.');
    expect(no.exitCode).toBe(2);
    expect(existsSync(marker)).toBe(false);
    const yes = await onTerminal(args, 'y');
    expect(yes.exitCode, String(yes.stdout)).toBe(0);
    expect(String(yes.stdout)).toMatch(/✓ smoke-test: done in/);
    expect(existsSync(marker)).toBe(true);
  });
});
