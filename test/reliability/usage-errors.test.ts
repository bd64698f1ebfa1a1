import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, type CliResult } from '../helpers/cli.js';

/** Flags a script may pass empty or out of range: a usage error (exit 2) in one sentence, never "no limit" or a server error. */
const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-usage-journal-')) };
const dbs: Array<{ drop: () => Promise<void> }> = [];
afterAll(async () => {
  for (const d of dbs) await d.drop();
});
async function database(prefix: string) {
  const d = await freshDatabase(prefix);
  dbs.push(d);
  return d;
}
const dir = makeMigrations({ '1_a': 'CREATE TABLE a (id int);', '2_b': 'CREATE TABLE b (id int);' });
const applied = async (url: string) => (await query(url, `SELECT 1 FROM pg_class WHERE relname IN ('a', 'b')`)).length;

function expectUsage(r: CliResult, message: RegExp) {
  expect(r.exitCode, r.stderr).toBe(2);
  expect(r.stderr.trim()).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

describe('run --to', () => {
  it.each([[''], ['   ']])('%j is a usage error, and nothing runs', async (value) => {
    const db = await database('toempty');
    const r = await cli(['run', '--yes', '--to', value, '--database-url', db.url, '--migrations', dir], { env });
    expectUsage(
      r,
      /^--to needs the name of a migration \(got an empty value\): pass the last migration to apply, or leave --to out to apply every pending one\.$/,
    );
    expect(await applied(db.url)).toBe(0);
  });
});

describe('durations out of range', () => {
  it.each([
    ['--lock-timeout', '99999999999'],
    ['--statement-timeout', '9999999999'],
    ['--lock-wait-limit', '9999999h'],
    ['--max-victim-wait', '99999999999999999999999ms'],
  ])('%s %s is a usage error naming the flag, and nothing runs', async (flag, value) => {
    const db = await database('dur');
    const r = await cli(['run', '--yes', flag, value, '--database-url', db.url, '--migrations', dir], { env });
    expectUsage(r, new RegExp(`^${flag} takes a duration`));
    expect(await applied(db.url)).toBe(0);
  });

  it('the largest PostgreSQL accepts still works', async () => {
    const db = await database('durmax');
    const r = await cli(
      [
        'run',
        '--yes',
        '--lock-timeout',
        '2147483647ms',
        '--statement-timeout',
        '596h',
        '--database-url',
        db.url,
        '--migrations',
        dir,
      ],
      { env },
    );
    expect(r.exitCode, r.stderr).toBe(0);
  });
});

describe('database URL parameters', () => {
  it("an unknown parameter is refused as psql refuses it, naming it; Prisma's own parameters are accepted", async () => {
    const db = await database('urlparam');
    const r = await cli(['status', '--database-url', `${db.url}?sslmdoe=require`, '--migrations', dir], { env });
    expectUsage(r, /^The database URL has an unknown parameter "sslmdoe"/);
    const ok = await cli(
      [
        'status',
        '--database-url',
        `${db.url}?schema=public&connection_limit=1&application_name=x&connect_timeout=5`,
        '--migrations',
        dir,
      ],
      { env },
    );
    // status exits 1 while a migration is pending, as `prisma migrate status` does: the URL was accepted
    expect(ok.exitCode, ok.stderr).toBe(1);
    expect(ok.stdout).toMatch(/pending/);
  });

  it('PGSSLMODE=verify-full against a server without TLS: the error names verify-full', async () => {
    const db = await database('sslenv');
    const r = await cli(['status', '--database-url', db.url, '--migrations', dir], {
      env: { ...env, PGSSLMODE: 'verify-full' },
    });
    expect(r.exitCode, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/sslmode=verify-full/);
    expect(r.stderr).not.toMatch(/sslmode=require/);
  });
});

describe('plan', () => {
  it('flags COPY ... FROM PROGRAM (a shell command on the database server)', async () => {
    const db = await database('copyprog');
    const d = makeMigrations({ '1_copy': "CREATE TABLE t (line text);\nCOPY t FROM PROGRAM 'cat /etc/hostname';" });
    const r = await cli(['plan', '--json', '--database-url', db.url, '--migrations', d], { env });
    const f = JSON.parse(r.stdout).findings.find((x: { rule: string }) => x.rule === 'copy-program');
    expect(f).toMatchObject({ migration: '1_copy', statement: 2, severity: 'error' });
    expect(f.message).toMatch(/runs a shell command on the database server/);
    const text = await cli(['plan', '--database-url', db.url, '--migrations', d], { env });
    expect(text.stdout).toMatch(/COPY \.\.\. PROGRAM runs a shell command on the database server/);
  });
});

describe("a role's own statement_timeout", () => {
  it('is kept when --statement-timeout is not given, and the run says so; --statement-timeout 0 lifts it', async () => {
    const db = await database('roletimeout');
    await query(db.url, `ALTER DATABASE "${db.url.split('/').pop()}" SET statement_timeout = '700ms'`);
    const d = makeMigrations({ '1_slow': 'SELECT pg_sleep(1.5);' });
    const r = await cli(['run', '--yes', '--database-url', db.url, '--migrations', d], { env });
    expect(r.stderr).toMatch(
      /statement_timeout 700ms is the database's or the role's own setting, kept for this run \(--statement-timeout 0 lifts it\)/,
    );
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/statement timeout/);
    const db2 = await database('roletimeout2');
    await query(db2.url, `ALTER DATABASE "${db2.url.split('/').pop()}" SET statement_timeout = '700ms'`);
    const lifted = await cli(
      ['run', '--yes', '--statement-timeout', '0', '--database-url', db2.url, '--migrations', d],
      { env },
    );
    expect(lifted.exitCode, lifted.stderr).toBe(0);
    expect(lifted.stderr).not.toMatch(/own setting/);
  });
});
