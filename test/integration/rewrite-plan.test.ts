import { describe, it, expect, afterAll } from 'vitest';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { FOUR } from '../helpers/rewrite.js';

const SETUP = `
CREATE TABLE "User" (id serial PRIMARY KEY, email text);
INSERT INTO "User" (email) SELECT 'u' || g || '@x' FROM generate_series(1, 2000) g;
CREATE TABLE "Post" (id serial PRIMARY KEY, "userId" int, title text);
INSERT INTO "Post" ("userId", title) SELECT 1 + g % 2000, 't' FROM generate_series(1, 2000) g;
ANALYZE;`;

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

describe('plan --rewrite', () => {
  it('shows each pending migration as written and its safe form, step by step, with locks and what each holds (text and --json)', async () => {
    const db = await freshDatabase('rwplan');
    drops.push(db.drop);
    await query(db.url, SETUP);
    const dir = makeMigrations({ '20250101000000_four': FOUR });
    const args = ['plan', '--rewrite', '--database-url', db.url, '--migrations', dir];
    const text = await cli(args);
    expect(text.exitCode, text.stderr).toBe(0);
    const out = text.stdout;
    expect(out).toContain('PLAN --rewrite (dry run, nothing is written)');
    expect(out).toContain('▶ 20250101000000_four  (4 statements as written, 8 steps in the safe form)');
    expect(out).toContain('line 2: ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL');
    expect(out).toContain('as written: ACCESS EXCLUSIVE on User, scans it; holds reads and writes, for the whole step');
    expect(out).toContain('as written: SHARE on User, scans it; holds writes, for the whole step');
    expect(out).toMatch(
      /1\. ALTER TABLE "User" ADD CONSTRAINT "User_email_not_null_tmp" CHECK \("email" IS NOT NULL\) NOT VALID\n\s+ACCESS EXCLUSIVE on User; holds reads and writes, for an instant/,
    );
    expect(out).toMatch(
      /2\. ALTER TABLE "User" VALIDATE CONSTRAINT .*\n\s+SHARE UPDATE EXCLUSIVE on User, scans it; holds nothing/,
    );
    expect(out).toMatch(
      /5\. CREATE UNIQUE INDEX CONCURRENTLY "User_email_key" ON "User"\("email"\)\n\s+SHARE UPDATE EXCLUSIVE on User, scans it; holds nothing/,
    );
    expect(out).toMatch(
      /7\. add the constraint NOT VALID \(no scan\)\n\s+LOCK TABLE "User" IN SHARE ROW EXCLUSIVE MODE\n\s+ALTER TABLE "Post" ADD CONSTRAINT "Post_userId_fkey" .*\n\s+SHARE ROW EXCLUSIVE on Post, SHARE ROW EXCLUSIVE on User; holds writes, for an instant/,
    );
    expect(out).toMatch(
      /8\. ALTER TABLE "Post" VALIDATE CONSTRAINT "Post_userId_fkey"\n\s+SHARE UPDATE EXCLUSIVE on Post, scans it, ROW SHARE on User; holds nothing/,
    );

    const doc = json(await cli([...args, '--json']));
    expect(doc.mode).toBe('plan');
    expect(doc.rewrite).toBe(true);
    const [m] = doc.migrations;
    expect(m.name).toBe('20250101000000_four');
    expect(m.statements.map((s: any) => s.rule)).toEqual([
      'not-null-via-check',
      'index-concurrently',
      'index-concurrently',
      'constraint-not-valid',
    ]);
    expect(m.statements[1].asWritten).toMatchObject({ lock: 'SHARE', scans: true });
    expect(m.statements[1].steps).toEqual([
      expect.objectContaining({
        step: 5,
        sql: 'CREATE UNIQUE INDEX CONCURRENTLY "User_email_key" ON "User"("email")',
        transactional: false,
        lock: 'SHARE UPDATE EXCLUSIVE',
        scans: true,
        rewrites: false,
        holds: 'nothing (reads and writes go on)',
      }),
    ]);
    // a dry run: nothing written
    expect(
      await query(db.url, `SELECT to_regclass('"User_email_key"') AS i, to_regclass('_prisma_migrations') AS h`),
    ).toEqual([{ i: null, h: null }]);
  });

  it('--batch-rows that is not a whole number is refused with one sentence (exit 2)', async () => {
    const r = await cli([
      'plan',
      '--rewrite',
      '--batch-rows',
      'many',
      '--database-url',
      'postgresql://x@127.0.0.1:1/x',
      '--migrations',
      makeMigrations({ a: 'SELECT 1;' }),
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--batch-rows needs a whole number of rows of at least 1 (got many).');
  });
});
