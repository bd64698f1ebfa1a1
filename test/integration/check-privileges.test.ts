// check proves the role can migrate (issue 26): a read-only role passed 7 of 8 items and the run
// then failed at the _prisma_migrations insert. A real read-only role on a real server.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { adminUrl, freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { makeProject } from '../helpers/project.js';

describe('check: can this role migrate?', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let readOnly: string;
  const work = mkdtempSync(path.join(os.tmpdir(), 'cm-priv-'));
  const role = `reader_${path
    .basename(work)
    .slice(-6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
  const dir = makeMigrations({
    '1_init': 'CREATE TABLE "Account" ("id" SERIAL NOT NULL, CONSTRAINT "Account_pkey" PRIMARY KEY ("id"));',
    '2_name': 'ALTER TABLE "Account" ADD COLUMN "name" TEXT;',
  });

  beforeAll(async () => {
    db = await freshDatabase('privileges');
    // 1_init applied by the owner (postgres); 2_name pending
    expect(
      (await cli(['run', '--yes', '--to', '1_init', '--database-url', db.url, '--migrations', dir])).exitCode,
    ).toBe(0);
    await query(adminUrl(), `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await query(adminUrl(), `CREATE ROLE ${role} LOGIN PASSWORD 'reader-pw'`);
    await query(
      db.url,
      `REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`,
    );
    readOnly = db.url.replace(/\/\/postgres:[^@]*@/, `//${role}:reader-pw@`);
  });
  afterAll(async () => {
    await db.drop();
    await query(adminUrl(), `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  });

  it('a read-only role fails the privileges item, saying what it lacks', async () => {
    const r = await cli([
      'check',
      '--json',
      '--database-url',
      readOnly,
      '--migrations',
      dir,
      '--backup-dir',
      path.join(work, 'b'),
      '--journal-dir',
      path.join(work, 'j'),
    ]);
    expect(r.exitCode).toBe(1);
    const item = json(r).items.find((i: any) => i.id === 'env.privileges');
    expect(item).toMatchObject({
      status: 'fail',
      title: 'Verify the role can migrate (create, write the history, own the changed tables)',
    });
    expect(item.evidence).toBe(
      `the role ${role} cannot migrate: no CREATE in schema public (GRANT CREATE ON SCHEMA "public" TO "${role}"); cannot write _prisma_migrations (needs INSERT, UPDATE and DELETE on it); does not own 1 table the pending migrations change: "Account" (owner postgres)`,
    );
    const text = await cli([
      'check',
      '--database-url',
      readOnly,
      '--migrations',
      dir,
      '--backup-dir',
      path.join(work, 'b'),
      '--journal-dir',
      path.join(work, 'j'),
    ]);
    expect(text.stdout).toMatch(/✗ +env\.privileges +the role \S+ cannot migrate: no CREATE in schema public/);
  });

  it('the owner passes it', async () => {
    const r = await cli([
      'check',
      '--json',
      '--database-url',
      db.url,
      '--migrations',
      dir,
      '--backup-dir',
      path.join(work, 'b'),
      '--journal-dir',
      path.join(work, 'j'),
    ]);
    const item = json(r).items.find((i: any) => i.id === 'env.privileges');
    expect(item).toMatchObject({
      status: 'pass',
      evidence:
        'the role postgres may create in schema public and write _prisma_migrations, and owns the table the pending migrations change',
    });
  });
});

describe('check: the Prisma cross-check and long lists (issue 26)', () => {
  const REPO = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase('crosscheck');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('runs Prisma wherever the project has a schema and a CLI (--migrations naming its folder too); else says what is missing', {
    timeout: 120_000,
  }, async () => {
    const many = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [
        `prisma/migrations/2024010100000${String(i).padStart(2, '0')}_step/migration.sql`,
        `CREATE TABLE t${i} (id int);`,
      ]),
    );
    const files = {
      'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      ...many,
    };
    const noCli = makeProject(files);
    const args = ['check', '--backup-dir', path.join(noCli, 'b'), '--journal-dir', path.join(noCli, 'j')];
    const r = await cli(args, { cwd: noCli, env: { DATABASE_URL: db.url, COLUMNS: '100' } });
    const unwrapped = r.stdout.replace(/\n {20,}/g, ' ');
    expect(unwrapped).toContain(
      `Prisma cross-check skipped: no Prisma CLI (node_modules/.bin/prisma) in ${noCli} or a folder above it: install the project's dependencies (npm ci) to have it`,
    );
    // twelve pending names: counted, five named, and the evidence wrapped under itself
    expect(unwrapped).toContain(
      '0 applied, 12 pending (202401010000000_step, 202401010000001_step, 202401010000002_step, 202401010000003_step, 202401010000004_step and 7 more)',
    );
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);

    // with the project's Prisma CLI, also when --migrations names the schema's own folder
    const withCli = makeProject(files);
    symlinkSync(path.join(REPO, 'node_modules'), path.join(withCli, 'node_modules'));
    writeFileSync(
      path.join(withCli, 'prisma.config.ts'),
      `import { defineConfig } from 'prisma/config';\nimport { PrismaPg } from '@prisma/adapter-pg';\nexport default defineConfig({\n  engine: 'js',\n  experimental: { adapter: true },\n  schema: 'prisma/schema.prisma',\n  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL, allowExitOnIdle: true, idleTimeoutMillis: 200 }),\n});\n`,
    );
    const ran = await cli([...args, '--migrations', 'prisma/migrations', '--json'], {
      cwd: withCli,
      env: { DATABASE_URL: db.url, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', PRISMA_QUERY_ENGINE_LIBRARY: '/bin/true' },
    });
    expect(json(ran).items.find((i: any) => i.id === 'env.migration-status').evidence).toMatch(
      /; prisma migrate status: reports pending migrations$/,
    );
  });
});
