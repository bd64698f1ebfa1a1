import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query, client } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';

// The data preflight asks the target which existing rows would make a pending statement fail.
const TABLES = `
  CREATE TABLE "User" (id serial PRIMARY KEY, name text, email text);
  CREATE TABLE "Post" (id int PRIMARY KEY, "authorId" int);`;
const MIGRATIONS = {
  '001_name_required': 'ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;',
  '002_unique_email': 'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");',
  '003_post_author':
    'ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;',
  '004_new_table': 'CREATE TABLE "Draft" (id int, title text);\nALTER TABLE "Draft" ALTER COLUMN "title" SET NOT NULL;',
};

let dirty: Awaited<ReturnType<typeof freshDatabase>>;
let clean: Awaited<ReturnType<typeof freshDatabase>>;
let journalDir: string;
beforeAll(async () => {
  journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-preflight-journal-'));
  [dirty, clean] = await Promise.all([freshDatabase('pfdirty'), freshDatabase('pfclean')]);
  await query(
    dirty.url,
    `${TABLES}
    INSERT INTO "User" (name, email) SELECT 'user ' || g, 'u' || g || '@x.io' FROM generate_series(1, 10) g;
    UPDATE "User" SET name = NULL WHERE id = 7;
    UPDATE "User" SET email = 'same@x.io' WHERE id IN (3, 5);
    INSERT INTO "Post" VALUES (1, 1), (2, 99), (3, NULL);`,
  );
  await query(
    clean.url,
    `${TABLES}
    INSERT INTO "User" (name, email) SELECT 'user ' || g, 'u' || g || '@x.io' FROM generate_series(1, 10) g;
    INSERT INTO "Post" VALUES (1, 1), (2, 2), (3, NULL);`,
  );
});
afterAll(async () => {
  await Promise.all([dirty?.drop(), clean?.drop()]);
});

const plan = (url: string, ...extra: string[]) =>
  cli([
    'plan',
    '--database-url',
    url,
    '--migrations',
    makeMigrations(MIGRATIONS),
    '--journal-dir',
    journalDir,
    ...extra,
  ]);

describe('data preflight', () => {
  it('plan names the rows that make SET NOT NULL, a unique index and a foreign key fail, and exits 1', async () => {
    const r = await plan(dirty.url, '--json');
    expect(r.exitCode).toBe(1);
    const out = json(r);
    const failing = out.preflight.findings.filter((f: any) => f.outcome === 'will-fail');
    expect(failing.map((f: any) => [f.migration, f.check, f.message])).toEqual([
      ['001_name_required', 'not-null', 'will fail: 1 row of "User" has "name" NULL (id 7)'],
      [
        '002_unique_email',
        'unique',
        'will fail: 2 rows of "User" share "email" with another row (id 3: email same@x.io; id 5: email same@x.io)',
      ],
      [
        '003_post_author',
        'foreign-key',
        'will fail: 1 row of "Post" has "authorId" with no match in "User" (id 2: authorId 99)',
      ],
    ]);
    expect(out.preflight.checked).toBe(3); // the new table of 004 is empty: not checked
    expect(
      out.findings.filter((f: any) => f.source === 'preflight').map((f: any) => [f.rule, f.severity, f.statement]),
    ).toEqual([
      ['preflight-not-null', 'error', 1],
      ['preflight-unique', 'error', 1],
      ['preflight-foreign-key', 'error', 1],
    ]);
    const human = await plan(dirty.url);
    expect(human.stdout).toContain('will fail: 1 row of "User" has "name" NULL (id 7)');
    expect(human.stdout).toContain('Data preflight (read only');
  });

  it('finds nothing on clean data, and plan exits 0', async () => {
    const r = await plan(clean.url, '--json');
    const out = json(r);
    expect(out.preflight).toMatchObject({ checked: 3, findings: [] });
    expect(out.findings.filter((f: any) => f.severity === 'error')).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it('the default (schema-only) rehearsal passes these migrations on empty tables, then reports the preflight and exits 1', async () => {
    const r = await cli([
      'rehearse',
      '--scratch',
      'server',
      '--database-url',
      dirty.url,
      '--migrations',
      makeMigrations(MIGRATIONS),
      '--journal-dir',
      journalDir,
    ]);
    expect(r.stdout).toContain('4 applied, 0 failed');
    expect(r.stdout).toContain('Schema-only copy: failures that depend on the rows');
    expect(r.stdout).toContain('001_name_required line 1: will fail: 1 row of "User" has "name" NULL (id 7)');
    expect(r.exitCode).toBe(1);
  });

  it('names rows a CHECK rejects, a NOT NULL column without default on a filled table, values too long for a new varchar, and a failing cast', async () => {
    const r = await cli([
      'plan',
      '--json',
      '--database-url',
      dirty.url,
      '--journal-dir',
      journalDir,
      '--migrations',
      makeMigrations({
        '001_checks': `ALTER TABLE "Post" ADD CONSTRAINT "Post_id_small" CHECK ("id" < 3);
        ALTER TABLE "Post" ADD CONSTRAINT "Post_later" CHECK ("id" > 100) NOT VALID;
        ALTER TABLE "User" ADD COLUMN "tenant" INTEGER NOT NULL, ADD COLUMN "plan" TEXT NOT NULL DEFAULT 'free';
        ALTER TABLE "User" ALTER COLUMN "email" SET DATA TYPE VARCHAR(8);
        ALTER TABLE "User" ALTER COLUMN "name" SET DATA TYPE INTEGER USING "name"::INTEGER;`,
      }),
    ]);
    const out = json(r);
    expect(out.preflight.findings.map((f: any) => f.message)).toEqual([
      'will fail: 1 row of "Post" breaks CHECK ("id" < 3) (id 3)',
      'will fail: "User" has 10 rows and "tenant" is added NOT NULL without a default (id 1; id 2; id 3; …)',
      'will fail: 2 rows of "User" have "email" longer than the new type allows (id 3; id 5)',
      'will fail: converting "User"."name" to the new type fails on existing rows: invalid input syntax for type integer: "user 1"',
    ]);
    expect(out.preflight.checked).toBe(4); // NOT VALID and a column with a default are not checks
  });

  it('does not queue behind a lock: a table held in ACCESS EXCLUSIVE is reported not checked within the lock timeout', async () => {
    const holder = await client(dirty.url);
    try {
      await holder.query('BEGIN; LOCK TABLE "Post" IN ACCESS EXCLUSIVE MODE');
      const t0 = Date.now();
      const out = json(await plan(dirty.url, '--json'));
      expect(Date.now() - t0).toBeLessThan(20_000);
      const byMigration = Object.fromEntries(out.preflight.findings.map((f: any) => [f.migration, f]));
      expect(byMigration['003_post_author']).toMatchObject({
        outcome: 'not-checked',
        message: 'not checked: the table is locked by another session',
      });
      expect(byMigration['001_name_required']).toMatchObject({ outcome: 'will-fail' });
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });

  it("names the rows that still use an enum value Prisma's enum recreation removes", async () => {
    await query(
      dirty.url,
      `CREATE TYPE "Status" AS ENUM ('DRAFT', 'PUBLISHED', 'ARCHIVED');
      CREATE TABLE "Article" (id int PRIMARY KEY, status "Status" NOT NULL DEFAULT 'DRAFT');
      INSERT INTO "Article" VALUES (1, 'DRAFT'), (2, 'ARCHIVED'), (3, 'PUBLISHED');`,
    );
    const dir = makeMigrations({
      '001_drop_archived': `BEGIN;
CREATE TYPE "Status_new" AS ENUM ('DRAFT', 'PUBLISHED');
ALTER TABLE "Article" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "Article" ALTER COLUMN "status" TYPE "Status_new" USING ("status"::text::"Status_new");
ALTER TYPE "Status" RENAME TO "Status_old";
ALTER TYPE "Status_new" RENAME TO "Status";
DROP TYPE "Status_old";
ALTER TABLE "Article" ALTER COLUMN "status" SET DEFAULT 'DRAFT';
COMMIT;`,
    });
    const out = json(
      await cli(['plan', '--json', '--database-url', dirty.url, '--migrations', dir, '--journal-dir', journalDir]),
    );
    expect(out.preflight.findings.map((f: any) => [f.statement, f.message])).toEqual([
      [4, 'will fail: 1 row of "Article" has a "status" value the new enum "Status_new" lacks (id 2: status ARCHIVED)'],
    ]);
  });
});
