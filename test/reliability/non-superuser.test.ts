import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
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
  // Roles are shared by every database of the server: this file's own name.
  const role = `app_owner_${path
    .basename(work)
    .slice(-6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;

  beforeAll(async () => {
    db = await freshDatabase('nonsuper');
    await query(adminUrl(), `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await query(adminUrl(), `CREATE ROLE ${role} LOGIN PASSWORD 'owner-pw' NOSUPERUSER NOCREATEDB`);
    await query(adminUrl(), `ALTER DATABASE "${db.name}" OWNER TO ${role}`);
    await query(db.url, `ALTER SCHEMA public OWNER TO ${role}`);
    url = db.url.replace(/\/\/postgres:[^@]*@/, `//${role}:owner-pw@`);
  });
  afterAll(async () => {
    await db.drop();
    await query(adminUrl(), `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  });

  it('every command answers with what it can read and marks the rest', async () => {
    const dir = makeMigrations({
      '1_a': {
        up: 'CREATE TABLE a (id int primary key);\nINSERT INTO a SELECT generate_series(1, 100);',
        down: 'DROP TABLE a;',
      },
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
    expect((await runIt('status', ['status', ...base])).exitCode).toBe(1); // pending, as prisma migrate status
    // Nothing in the plan is an error: exit 0.
    expect((await runIt('plan', ['plan', ...base])).exitCode).toBe(0);
    // No backup yet: exactly the two backup items fail (exit 1); the disk figure it cannot read is
    // left for the DBA to confirm, saying why.
    const check = await runIt('check', ['check', '--json', ...base, '--backup-dir', path.join(work, 'b')]);
    expect(check.exitCode).toBe(1);
    const items = JSON.parse(check.stdout).items as { id: string; status: string; evidence: string }[];
    expect(items.filter((i) => i.status === 'fail').map((i) => i.id)).toEqual(['backup.create', 'backup.verify']);
    expect(items.find((i) => i.id === 'env.connection')?.evidence).toContain(` as ${role}: PostgreSQL 15`);
    const disk = items.find((i) => i.id === 'env.disk-space');
    expect(disk?.status).toBe('manual');
    expect(disk?.evidence).toContain(
      `unknown: the role ${role} may not read data_directory (needs superuser or pg_read_all_settings)`,
    );
    expect((await runIt('run', ['run', '--yes', ...base])).exitCode).toBe(0);
    expect((await runIt('verify', ['verify', ...base])).exitCode).toBe(0);
    expect((await runIt('locks', ['locks', '--json', '--database-url', url])).exitCode).toBe(0);
    const backup = await runIt('backup', ['backup', '--json', ...base, '--backup-dir', path.join(work, 'b')]);
    // No CREATEDB: the dump is written, and the restore check says why it could not run (exit 1:
    // an unverified backup is not a backup the checklist accepts).
    expect(backup.exitCode).toBe(1);
    const dump = JSON.parse(backup.stdout);
    expect(dump).toMatchObject({ verified: false, bytes: statSync(dump.path).size });
    expect(dump.restoreCheck.error).toContain(`the role "${role}" may not create databases (grant CREATEDB`);
    const kill = await runIt('kill', ['kill', String(process.pid), '--yes', '--database-url', url]);
    expect(kill.exitCode).toBe(2);
    expect((await runIt('rollback', ['rollback', '2_idx', '--yes', ...base])).exitCode).toBe(0);
    // Only 2_idx is pending again after its rollback: the rehearsal applies it on a scratch copy.
    const rehearse = await runIt('rehearse', ['rehearse', ...base]);
    expect(rehearse.exitCode).toBe(0);
    expect(rehearse.stdout).toMatch(/✓ 2_idx\s+applied/);
    expect(rehearse.stdout).toMatch(/1 applied, 0 failed, 0 not run/);
    expect((await runIt('report', ['report', '--database-url', url])).exitCode).toBe(0);
  }, 300_000);
});
