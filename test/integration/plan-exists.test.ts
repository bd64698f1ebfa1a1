// plan knows what already exists (issue 26): a table made by hand that a pending migration also
// creates made plan say "0 errors" and the run fail with 42P07. Each object kind, on a real target.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;

beforeAll(async () => {
  db = await freshDatabase('plan_exists');
  // made by hand (or by `prisma db push`) before the migrations that also create them
  await query(
    db.url,
    `
    CREATE TABLE "Account" ("id" SERIAL NOT NULL, "name" TEXT, CONSTRAINT "Account_pkey" PRIMARY KEY ("id"));
    CREATE TYPE "Role" AS ENUM ('USER');
    CREATE SCHEMA audit;
    CREATE TABLE audit.events (id int);
    CREATE INDEX "events_id_idx" ON audit.events (id);`,
  );
});

afterAll(async () => {
  await db.drop();
});

const plan = (dir: string, ...extra: string[]) =>
  cli(['plan', '--database-url', db.url, '--migrations', dir, ...extra]);

describe('plan: objects that already exist', () => {
  it('a hand-made table that a migration creates is an error naming the table and the statement; exit 1', async () => {
    const dir = makeMigrations({
      '20240101000000_init':
        'CREATE TABLE "Account" ("id" SERIAL NOT NULL, "name" TEXT,\n  CONSTRAINT "Account_pkey" PRIMARY KEY ("id"));\n',
    });
    const r = await plan(dir);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toContain(
      '✗ error   line 1 [already-exists] table "Account" already exists on the target: `CREATE TABLE "Account" ("id" SERIAL NOT NULL, "name" TEXT, CONSTRAINT…` fails with "already exists"',
    );
    expect(r.stdout).toContain(
      'fix: it was made outside these migrations (by hand, db push or a partial rollback): if it is what the migration makes, mark the migration applied (citadel-migrate skip 20240101000000_init --reason ...)',
    );
    // words: one error, one statement
    expect(r.stdout).toMatch(/^1 error, 0 warnings, \d+ notes?\.$/m);
    expect(r.stdout).toContain('▶ 20240101000000_init  (1 statement, one transaction)');
    // the rehearsal agrees: the same statement fails there
    const rehearse = await cli(['rehearse', '--json', '--database-url', db.url, '--migrations', dir]);
    expect(json(rehearse).migrations[0].error.code).toBe('42P07');
    const words = await cli(['rehearse', '--database-url', db.url, '--migrations', dir]);
    expect(words.stdout).toMatch(/^REHEARSAL of \S+ on an embedded sandbox \(schema only/m);
  });

  it('columns, indexes, constraints, enum values, types, schemas and extensions; and what an earlier pending migration creates', async () => {
    await query(db.url, 'CREATE EXTENSION IF NOT EXISTS pg_trgm');
    const dir = makeMigrations({
      '1_columns':
        'ALTER TABLE "Account" ADD COLUMN "name" TEXT;\nALTER TABLE "Account" ADD COLUMN IF NOT EXISTS "name" TEXT;\nALTER TABLE "Account" ADD CONSTRAINT "Account_pkey" PRIMARY KEY ("id");',
      '2_types':
        "CREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN');\nALTER TYPE \"Role\" ADD VALUE 'USER';\nALTER TYPE \"Role\" ADD VALUE IF NOT EXISTS 'USER';",
      '3_schema':
        'CREATE SCHEMA audit;\nCREATE INDEX "events_id_idx" ON audit.events (id);\nCREATE EXTENSION pg_trgm;\nCREATE EXTENSION IF NOT EXISTS pg_trgm;',
      '4_new': 'CREATE TABLE "Post" ("id" INTEGER NOT NULL);\nCREATE UNIQUE INDEX "Post_id_key" ON "Post"("id");',
      '5_again': 'CREATE UNIQUE INDEX "Post_id_key" ON "Post"("id");',
    });
    const r = await cli(['plan', '--json', '--database-url', db.url, '--migrations', dir]);
    expect(r.exitCode).toBe(1);
    const found = json(r)
      .findings.filter((f: any) => f.rule === 'already-exists')
      .map((f: any) => `${f.migration}:${f.statement} ${f.message.split(':')[0]}`)
      .sort();
    expect(found).toEqual([
      '1_columns:1 column "Account"."name" already exists on the target',
      '1_columns:3 constraint "Account_pkey" of "Account" already exists on the target',
      '2_types:1 type "Role" already exists on the target',
      '2_types:2 value \'USER\' of the enum "Role" already exists on the target',
      '3_schema:1 schema "audit" already exists on the target',
      '3_schema:2 index "audit"."events_id_idx" already exists on the target',
      '3_schema:3 extension "pg_trgm" already exists on the target',
      '5_again:1 index "Post_id_key" is created already by 4_new line 2 (earlier in this run)',
    ]);
  });

  it("nothing is reported where the run drops or renames first (Prisma's enum and table redefinitions)", async () => {
    const dir = makeMigrations({
      '1_redefine': [
        'DROP TABLE "Account";',
        'CREATE TABLE "Account" ("id" SERIAL NOT NULL, "name" TEXT, CONSTRAINT "Account_pkey" PRIMARY KEY ("id"));',
        "CREATE TYPE \"Role_new\" AS ENUM ('USER', 'ADMIN');",
        'ALTER TYPE "Role" RENAME TO "Role_old";',
        'ALTER TYPE "Role_new" RENAME TO "Role";',
        'DROP TYPE "Role_old";',
        'ALTER TYPE "Role" ADD VALUE \'OWNER\';',
        'DROP INDEX audit."events_id_idx";',
        'CREATE INDEX "events_id_idx" ON audit.events (id);',
        'ALTER TABLE "Account" DROP COLUMN "name";',
        'ALTER TABLE "Account" ADD COLUMN "name" TEXT;',
      ].join('\n'),
    });
    const r = await cli(['plan', '--json', '--database-url', db.url, '--migrations', dir]);
    expect(json(r).findings.filter((f: any) => f.rule === 'already-exists')).toEqual([]);
  });

  it('a volatile default is described as one, not as "a generated column"', async () => {
    await query(
      db.url,
      'INSERT INTO "Account" ("name") SELECT g::text FROM generate_series(1, 20000) g; ANALYZE "Account"',
    );
    const dir = makeMigrations({
      '1_uuid': 'ALTER TABLE "Account" ADD COLUMN "token" UUID DEFAULT gen_random_uuid();',
    });
    const r = await cli(['plan', '--json', '--all', '--database-url', db.url, '--migrations', dir]);
    const f = json(r).findings.find((x: any) => x.rule === 'adding-field-with-default');
    expect(f.message).toMatch(
      /^Adding a column whose DEFAULT is volatile \(a new value for every row\) requires a table rewrite/,
    );
    expect(f.message).not.toContain('generated column');
  });
});
