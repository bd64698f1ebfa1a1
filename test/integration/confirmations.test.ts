// The same confirmation on both front ends (issue 13): on a LIVE database, run, skip, rollback and
// kill --terminate ask for the database name typed on a terminal; a wrong name changes nothing.
// The console's side is in test/tui/liveConfirmations.test.tsx.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { freshDatabase, client, query } from '../helpers/db.js';

type TestDb = Awaited<ReturnType<typeof freshDatabase>>;
import { makeMigrations } from '../helpers/folders.js';
import { BIN, CLI_ENV } from '../helpers/cli.js';

let db: TestDb;
let dir: string;

/** The command on a real terminal (script(1) gives it a pty), with TYPED as the answer. */
function onTerminal(args: string[], typed: string) {
  const quoted = ['node', BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return execa('script', ['-qec', quoted, '/dev/null'], { input: `${typed}\n`, reject: false, env: { ...CLI_ENV, DATABASE_URL: db.url }, extendEnv: true, timeout: 60_000 });
}

const applied = async () => (await query<{ t: string | null }>(db.url, `SELECT to_regclass('_prisma_migrations')::text AS t`))[0]!.t === null ? [] : (await query<{ name: string }>(db.url, `SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1`)).map((r) => r.name);

beforeAll(async () => {
  db = await freshDatabase('confirm');
  dir = makeMigrations({ '1_a': { up: 'CREATE TABLE a (id int);', down: 'DROP TABLE a;' }, '2_b': { up: 'CREATE TABLE b (id int);', down: 'DROP TABLE b;' } });
});
afterAll(async () => db?.drop());

describe('on a LIVE database the CLI asks for the database name typed', () => {
  it('run: a wrong name applies nothing, the right one applies', async () => {
    const wrong = await onTerminal(['run', '--to', '1_a', '--migrations', dir], 'yes');
    expect(wrong.exitCode, String(wrong.stdout)).toBe(2);
    expect(String(wrong.stdout)).toMatch(new RegExp(`Run 1_a\\?[\\s\\S]*Type the database name \\(${db.name}\\) to run it:[\\s\\S]*Nothing was applied\\.`));
    expect(await applied()).toEqual([]);
    const right = await onTerminal(['run', '--to', '1_a', '--migrations', dir], db.name);
    expect(right.exitCode, String(right.stdout)).toBe(0);
    expect(await applied()).toEqual(['1_a']);
  });

  it('skip and rollback: y is not enough', async () => {
    const skipY = await onTerminal(['skip', '2_b', '--reason', 'made by hand', '--migrations', dir], 'y');
    expect(skipY.exitCode).toBe(2);
    expect(String(skipY.stdout)).toMatch(/Mark 2_b applied WITHOUT running its SQL[\s\S]*Reason: made by hand[\s\S]*Type the database name/);
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
      expect(String(wrong.stdout)).toMatch(new RegExp(`Terminate session ${pid}\\?[\\s\\S]*application  holder[\\s\\S]*Type the database name`));
      expect(await query(db.url, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).toHaveLength(1);
      const right = await onTerminal(['kill', String(pid), '--terminate'], db.name);
      expect(right.exitCode, String(right.stdout)).toBe(0);
      expect(await query(db.url, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).toHaveLength(0);
    } finally {
      await holder.end().catch(() => undefined);
    }
  });
});
