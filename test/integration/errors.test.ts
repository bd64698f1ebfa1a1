import { describe, it, expect } from 'vitest';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { adminUrl, pgPassword, freshDatabase } from '../helpers/db.js';
import { cli } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';

/** Every failure a user can cause: one sentence, a documented exit code, no stack trace, no password. */
describe('bad input gives one clear sentence', () => {
  const password = () => pgPassword();
  const wrongPasswordUrl = () => adminUrl().replace(`:${password()}@`, ':Wr0ng-Secret!@');

  const cases: Array<[string, () => string[], number, RegExp]> = [
    ['no database given', () => ['status'], 2, /No database given: pass --database-url/],
    ['a malformed URL', () => ['status', '--database-url', 'postgres://u:p#x@h/db'], 2, /malformed/],
    [
      'a wrong password',
      () => ['status', '--database-url', wrongPasswordUrl()],
      3,
      /Password authentication failed for user "postgres"/,
    ],
    [
      'a server that is down',
      () => ['status', '--database-url', 'postgresql://u:Secret1@127.0.0.1:1/db'],
      3,
      /No PostgreSQL server is accepting connections at 127\.0\.0\.1:1/,
    ],
    [
      'a database that does not exist',
      () => ['status', '--database-url', adminUrl().replace(/\/postgres$/, '/nope_db')],
      3,
      /Database "nope_db" does not exist/,
    ],
    [
      'a missing migrations folder',
      () => ['status', '--database-url', adminUrl(), '--migrations', '/nonexistent/x'],
      2,
      /does not exist: pass --migrations/,
    ],
    [
      'a folder without migration.sql',
      () => {
        const d = makeMigrations({ '1_a': 'SELECT 1;' });
        mkdirSync(path.join(d, '2_b'));
        return ['status', '--database-url', adminUrl(), '--migrations', d];
      },
      2,
      /"2_b" has no migration.sql/,
    ],
    [
      'an unknown command',
      () => ['frobnicate'],
      2,
      /There is no command "frobnicate": run `citadel-migrate --help` to list them\./,
    ],
  ];

  it.each(cases)('%s', async (_what, args, code, message) => {
    const r = await cli(args());
    expect(r.exitCode).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout + r.stderr).not.toContain(password());
    expect(r.stdout + r.stderr).not.toContain('Wr0ng-Secret!');
    expect(r.stdout + r.stderr).not.toContain('Secret1');
  });

  it('takes DATABASE_URL from the environment', async () => {
    const d = await freshDatabase('env');
    try {
      const r = await cli(['status', '--json', '--migrations', makeMigrations({ '1_a': 'SELECT 1;' })], {
        env: { DATABASE_URL: d.url },
      });
      expect(r.exitCode).toBe(1); // a migration is pending: exit 1, as prisma migrate status
      expect(JSON.parse(r.stdout).migrations[0]).toMatchObject({ name: '1_a', state: 'pending' });
    } finally {
      await d.drop();
    }
  });

  it('--help lists every command of the design', async () => {
    const r = await cli(['--help']);
    expect(r.exitCode).toBe(0);
    for (const c of [
      'console',
      'demo',
      'status',
      'plan',
      'check',
      'backup',
      'run',
      'skip',
      'rollback',
      'rehearse',
      'locks',
      'kill',
      'verify',
      'report',
      'action',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    }
  });
});
