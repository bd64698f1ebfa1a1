import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type pg from 'pg';
import { freshDatabase, client, query } from '../helpers/db.js';
import { diagnose } from '../../src/analysis/diagnose.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let c: pg.Client;

/** Runs SQL that must fail and returns the error PostgreSQL raised, as the engine receives it. */
async function failure(sql: string): Promise<any> {
  try {
    await c.query(sql);
  } catch (err) {
    return err;
  }
  throw new Error(`expected ${sql} to fail`);
}

beforeAll(async () => {
  db = await freshDatabase('diag');
  c = await client(db.url);
  await c.query(`
    CREATE TABLE users (id text PRIMARY KEY, "emailAddress" text);
    CREATE TABLE orders (id int PRIMARY KEY, "userId" text);
    INSERT INTO users VALUES ('u1', 'a@x'), ('u2', 'a@x'), ('u3', 'b@x');
    INSERT INTO orders VALUES (1, 'u1'), (2, 'ghost'), (3, NULL);`);
});
afterAll(async () => {
  await c?.end();
  await db?.drop();
});

describe('diagnose', () => {
  it('relation does not exist: names the relation with the same name in another case', async () => {
    const stmt = 'ALTER TABLE "User" ADD COLUMN x int';
    const hint = await diagnose(await failure(stmt), { statement: stmt, db: c });
    expect(hint).toContain('there is no "User" but there is "users"');
  });

  it('relation does not exist: names the later migration that creates it', async () => {
    const stmt = 'ALTER TABLE organizations ADD COLUMN x int';
    const hint = await diagnose(await failure(stmt), {
      statement: stmt,
      db: c,
      laterMigrations: [{ name: 'organization_module', sql: 'CREATE TABLE "organizations" (id text);' }],
    });
    expect(hint).toContain('created by the later migration organization_module');
  });

  it('column does not exist: suggests the column that differs in case', async () => {
    const stmt = 'CREATE INDEX i ON users (emailaddress)';
    const hint = await diagnose(await failure(stmt), { statement: stmt, db: c });
    expect(hint).toContain('"emailAddress"');
  });

  it('foreign key violation: gives a query that lists exactly the orphaned rows, with the remedy and its warning', async () => {
    const stmt = 'ALTER TABLE orders ADD CONSTRAINT orders_user_fkey FOREIGN KEY ("userId") REFERENCES users (id)';
    const hint = (await diagnose(await failure(stmt), { statement: stmt, db: c }))!;
    const q = /list them: (SELECT .*?);/.exec(hint)?.[1];
    expect(q).toBeDefined();
    expect((await query(db.url, q!)).map((r) => r.id)).toEqual([2]);
    expect(hint).toMatch(/back up first/);
    expect(hint).toMatch(/NOT VALID/);
  });

  it("duplicate key: gives the query that lists the duplicates, with the guide's delete and its warning", async () => {
    const stmt = 'CREATE UNIQUE INDEX users_email_key ON users ("emailAddress")';
    const hint = (await diagnose(await failure(stmt), { statement: stmt, db: c }))!;
    const q = /list them: (SELECT .*?);/.exec(hint)?.[1];
    expect((await query(db.url, q!)).map((r) => [r.emailAddress, Number(r.count)])).toEqual([['a@x', 2]]);
    expect(hint).toMatch(/back up the table first/);
  });

  it('lock timeout: names the blocker idle in its transaction and the kill command that frees the lock', async () => {
    const blocker = await client(db.url);
    try {
      await blocker.query("SET application_name = 'worker'; BEGIN; SELECT * FROM users");
      await c.query("SET lock_timeout = '100ms'");
      const stmt = 'ALTER TABLE users ADD COLUMN y int';
      const err = await failure(stmt);
      await c.query('RESET lock_timeout');
      const pid = (blocker as any).processID as number;
      const hint = await diagnose(err, { statement: stmt, db: c, blockingPids: [pid] });
      expect(hint).toContain(`pid ${pid} (worker, idle in transaction`);
      expect(hint).toContain(`citadel-migrate kill ${pid} --terminate`);
    } finally {
      await blocker.end();
    }
  });

  it('statement timeout, disk full and missing privilege get their own advice', async () => {
    await c.query("SET statement_timeout = '50ms'");
    const slow = await failure('SELECT pg_sleep(1)');
    await c.query('RESET statement_timeout');
    expect(await diagnose(slow, { statement: 'SELECT pg_sleep(1)' })).toMatch(/--statement-timeout/);
    const disk = await diagnose(
      { code: '53100', message: 'could not extend file: No space left on device' },
      { statement: 'CREATE INDEX i ON users (id)', db: c },
    );
    expect(disk).toMatch(/largest: (users|orders) \(\d+ kB\)/);
    expect(disk).toMatch(/never delete files in pg_wal/);
    // The migration runs as another login role than the table's owner: the hint names that role,
    // as the engine's second session (logged in as the same role) sees it.
    const role = `diag_app_${db.name.slice(-10)}`;
    await c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'diag-pw'`);
    const asApp = db.url.replace(/\/\/[^@]*@/, `//${role}:diag-pw@`);
    const runner = await client(asApp);
    const watcher = await client(asApp);
    try {
      const denied = await runner.query('ALTER TABLE users ADD COLUMN z int').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(denied).toMatchObject({ code: '42501' });
      expect(await diagnose(denied as any, { statement: 'ALTER TABLE users ADD COLUMN z int', db: watcher })).toContain(
        `"users" belongs to postgres and this runs as ${role}: run the migration as postgres`,
      );
    } finally {
      await runner.end();
      await watcher.end();
      await c.query(`DROP ROLE ${role}`);
    }
  });
});
