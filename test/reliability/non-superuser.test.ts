import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminUrl, freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli } from '../helpers/cli.js';

/**
 * On a managed database the migration role owns the schema but is no superuser: it cannot read
 * the data directory, other sessions' queries, or create databases. Every command must still
 * give useful output and say which figures it could not read, never crash.
 */
describe('a role without superuser', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let url: string;
  const work = mkdtempSync(path.join(os.tmpdir(), 'cm-nonsuper-'));
  const env = { CITADEL_JOURNAL_DIR: path.join(work, 'journal') };

  beforeAll(async () => {
    db = await freshDatabase('nonsuper');
    await query(adminUrl(), `DROP ROLE IF EXISTS app_owner`).catch(() => undefined);
    await query(adminUrl(), `CREATE ROLE app_owner LOGIN PASSWORD 'owner-pw' NOSUPERUSER NOCREATEDB`);
    await query(adminUrl(), `ALTER DATABASE "${db.name}" OWNER TO app_owner`);
    await query(db.url, `ALTER SCHEMA public OWNER TO app_owner`);
    url = db.url.replace(/\/\/postgres:[^@]*@/, '//app_owner:owner-pw@');
  });
  afterAll(async () => {
    await db.drop();
    await query(adminUrl(), `DROP ROLE IF EXISTS app_owner`).catch(() => undefined);
  });

  it('every command answers with what it can read and marks the rest', async () => {
    const dir = makeMigrations({
      '1_a': { up: 'CREATE TABLE a (id int primary key);\nINSERT INTO a SELECT generate_series(1, 100);', down: 'DROP TABLE a;' },
      '2_idx': { up: 'CREATE INDEX CONCURRENTLY a_id2 ON a (id);', down: 'DROP INDEX a_id2;' },
    });
    const base = ['--database-url', url, '--migrations', dir];
    const results: Record<string, { exitCode: number; out: string }> = {};
    const runIt = async (label: string, args: string[]) => {
      const r = await cli(args, { env, timeout: 120_000 });
      results[label] = { exitCode: r.exitCode, out: r.stdout + r.stderr };
      expect(r.stderr, label).not.toMatch(/Unexpected error|\n\s+at /);
      return r;
    };
    expect((await runIt('status', ['status', ...base])).exitCode).toBe(0);
    expect([0, 1]).toContain((await runIt('plan', ['plan', ...base])).exitCode);
    const check = await runIt('check', ['check', '--json', ...base, '--backup-dir', path.join(work, 'b')]);
    expect([0, 1]).toContain(check.exitCode);
    const disk = JSON.parse(check.stdout).items.find((i: { id: string }) => i.id === 'env.disk-space');
    if (disk) expect(String(disk.evidence)).toMatch(/unknown|cannot|not|superuser|pg_read_all_settings/i);
    expect((await runIt('run', ['run', '--yes', ...base])).exitCode).toBe(0);
    expect((await runIt('verify', ['verify', ...base])).exitCode).toBe(0);
    expect((await runIt('locks', ['locks', '--json', '--database-url', url])).exitCode).toBe(0);
    const backup = await runIt('backup', ['backup', '--json', '--database-url', url, '--backup-dir', path.join(work, 'b')]);
    // no CREATEDB: the dump is written, and the restore check says why it could not run
    if (backup.exitCode !== 0) expect(results.backup!.out).toMatch(/CREATEDB|create.*database|permission/i);
    const kill = await runIt('kill', ['kill', String(process.pid), '--yes', '--database-url', url]);
    expect(kill.exitCode).toBe(2);
    expect((await runIt('rollback', ['rollback', '2_idx', '--yes', ...base])).exitCode).toBe(0);
    expect([0, 1]).toContain((await runIt('rehearse', ['rehearse', ...base])).exitCode);
    expect((await runIt('report', ['report', '--database-url', url])).exitCode).toBe(0);
  }, 300_000);
});
