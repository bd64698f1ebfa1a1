// --to for plan and rehearse (issue 26), with run --to's meaning and validation: the pending
// migrations up to and including NAME; an unknown NAME is bad input (exit 2), naming near ones.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let dir: string;

beforeAll(async () => {
  db = await freshDatabase('plan_to');
  dir = makeMigrations({
    '1_accounts': 'CREATE TABLE accounts (id int PRIMARY KEY);',
    '2_posts': 'CREATE TABLE posts (id int PRIMARY KEY, account_id int REFERENCES accounts(id));',
    // fails: the table exists already
    '3_again': 'CREATE TABLE accounts (id int PRIMARY KEY);',
  });
});

afterAll(async () => {
  await db.drop();
});

describe('--to for plan and rehearse', () => {
  it("plan --to plans only up to NAME: the later error is not this window's (exit 0)", async () => {
    const all = await cli(['plan', '--json', '--database-url', db.url, '--migrations', dir]);
    expect(all.exitCode).toBe(1);
    const r = await cli(['plan', '--to', '2_posts', '--database-url', db.url, '--migrations', dir]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/: 2 pending migrations/);
    expect(r.stdout).toContain('▶ 2_posts');
    expect(r.stdout).not.toContain('3_again');
    const j = json(await cli(['plan', '--json', '--to', '1_accounts', '--database-url', db.url, '--migrations', dir]));
    expect(j.migrations.map((m: any) => m.name)).toEqual(['1_accounts']);
  });

  it('rehearse --to rehearses only up to NAME; the target is untouched', async () => {
    const r = await cli(['rehearse', '--json', '--to', '2_posts', '--database-url', db.url, '--migrations', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(json(r).migrations.map((m: any) => `${m.name}:${m.outcome}`)).toEqual([
      '1_accounts:applied',
      '2_posts:applied',
    ]);
    expect(await query(db.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);
  });

  it('an unknown NAME is refused as with run, naming the near ones', async () => {
    for (const cmd of ['plan', 'rehearse', 'run']) {
      const r = await cli([cmd, '--to', 'posts', '--yes', '--database-url', db.url, '--migrations', dir]);
      expect(r.exitCode, cmd).toBe(2);
      expect(r.stderr.trim(), cmd).toBe(`There is no migration named "posts" in ${dir}. Did you mean 2_posts?`);
    }
  });
});
