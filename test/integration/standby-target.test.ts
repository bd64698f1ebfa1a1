import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startReplicated, type Replicated } from '../helpers/standby.js';
import { query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli } from '../helpers/cli.js';

// A target that is itself a standby is refused by every writing command, in one sentence, before
// the command opens a session to write (so the DBA never sees "cannot execute ... in a read-only
// transaction" from half-way through a run).
describe('a standby target is refused before anything is written', () => {
  let r: Replicated;
  let dir: string;
  let standby: string;
  beforeAll(async () => {
    r = await startReplicated();
    await r.primary.createDatabase('app');
    dir = makeMigrations({
      m1_a: { up: 'CREATE TABLE a (id int);\n', down: 'DROP TABLE a;\n' },
      m2_b: 'CREATE TABLE b (id int);\n',
    });
    const first = await cli([
      'run',
      '--to',
      'm1_a',
      '--yes',
      '--database-url',
      r.primary.url('app'),
      '--migrations',
      dir,
    ]);
    expect(first.exitCode).toBe(0);
    await r.waitCaughtUp();
    standby = r.standbyUrl('app');
  });
  afterAll(() => r?.stop());

  const refusal =
    /^Refusing to (.+): database app on the server at 127\.0\.0\.1 port \d+ is a standby \(in recovery, read-only\), so nothing was done; point --database-url or DATABASE_URL at the primary\.$/;

  it.each([
    ['run', ['run', '--yes'], 'apply migrations'],
    ['skip', ['skip', 'm2_b', '--reason', 'by hand', '--yes'], 'skip m2_b'],
    ['rollback', ['rollback', 'm1_a', '--yes'], 'roll back m1_a'],
    ['backup --restore', ['backup', '--restore', '/nonexistent/app.dump', '--yes'], 'restore a backup'],
  ])('%s', async (_name, args, what) => {
    const res = await cli([...args, '--database-url', standby, '--migrations', dir]);
    expect(res.exitCode).toBe(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(refusal);
    expect(lines.at(-1)).toContain(`Refusing to ${what}:`);
    expect(res.stderr).not.toMatch(/read-only transaction|\n\s+at /);
    // the primary is as it was: m1_a applied, m2_b pending
    const rows = await query<{ migration_name: string; rolled_back_at: unknown }>(
      r.primary.url('app'),
      'SELECT migration_name, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows).toEqual([{ migration_name: 'm1_a', rolled_back_at: null }]);
  });

  it('status works on a standby and says what it is', async () => {
    const res = await cli(['status', '--database-url', standby, '--migrations', dir]);
    expect(res.stdout).toContain('This server is a standby (in recovery)');
  });
});
