// A sample Prisma project, as a new user has it: the console must find its folder, its .env and its
// direct URL with no flags, and refuse to write another folder's migrations into its database.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase, query } from '../helpers/db.js';
import { BUNDLED } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { makeProject, SCHEMA_WITH_DIRECT_URL, TWO_MIGRATIONS } from '../helpers/project.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const advisoryLocks = async (url: string) => Number((await query<{ n: number }>(url, "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()"))[0]!.n);
const history = async (url: string) => (await query<{ migration_name: string }>(url, 'SELECT migration_name FROM _prisma_migrations ORDER BY migration_name')).map((r) => r.migration_name);

describe('inside a Prisma project', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let project: string;
  beforeAll(async () => {
    db = await freshDatabase('project');
    project = makeProject({
      'prisma/schema.prisma': SCHEMA_WITH_DIRECT_URL,
      ...TWO_MIGRATIONS,
      // the pooled application URL points nowhere: only the direct URL can make this work
      '.env': `DATABASE_URL="postgresql://app:nope@127.0.0.1:1/app?pgbouncer=true"\nDIRECT_URL="${db.url}"\n`,
    });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('status with no flags lists the project\'s migrations from the direct URL and says where both came from', async () => {
    const r = await cli(['status', '--json'], { cwd: project });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = json(r);
    expect(doc.migrations.map((m: any) => `${m.name}:${m.state}`)).toEqual(['20240101000000_init:pending', '20240102000000_add_name:pending']);
    expect(doc.source).toMatchObject({ migrations: 'prisma/migrations', migrationsFrom: 'prisma/schema.prisma', schema: 'prisma/schema.prisma', url: 'DIRECT_URL in .env', bundled: false });
    expect(r.stderr).toBe('');
    const human = await cli(['status'], { cwd: project });
    expect(human.stdout.split('\n')[0]).toBe('Source: prisma/migrations (from prisma/schema.prisma), URL from DIRECT_URL in .env');
    // the environment wins over .env, as with Prisma
    const env = await cli(['status', '--json'], { cwd: project, env: { DIRECT_URL: 'postgresql://u:p@127.0.0.1:1/elsewhere' } });
    expect(env.exitCode).toBe(3);
  });

  it('run applies the project; the bundled folder is then refused before any lock, with nothing written', async () => {
    const ok = await cli(['run', '--yes', '--json'], { cwd: project });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(await history(db.url)).toEqual(['20240101000000_init', '20240102000000_add_name']);

    const r = await cli(['run', '--yes', '--migrations', BUNDLED], { cwd: project });
    expect(r.exitCode).toBe(1);
    const [first, refusal] = r.stderr.trim().split('\n');
    expect(first).toBe('Using the bundled CitadelBuy runbook (as --migrations asks).');
    expect(refusal).toMatch(/^This is not the database's migrations folder: none of the database's 2 applied migrations \(newest 20240102000000_add_name\) is among the 7 in \/.*migrations; .* --allow-foreign-history .*\.$/);
    expect(await history(db.url)).toEqual(['20240101000000_init', '20240102000000_add_name']);
    expect(await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'password_reset_tokens'")).toEqual([]);
    expect(await advisoryLocks(db.url)).toBe(0);

    const skip = await cli(['skip', 'organization_module', '--reason', 'test', '--yes', '--migrations', BUNDLED], { cwd: project });
    expect(skip.exitCode).toBe(1);
    expect(skip.stderr).toMatch(/not the database's migrations folder/);
    expect(await history(db.url)).toHaveLength(2);

    const status = await cli(['status', '--migrations', BUNDLED], { cwd: project });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/! This is not the database's migrations folder: none of the database's 2 applied migrations/);
  });

  it("the checklist's Prisma cross-check runs the project's Prisma on the discovered schema and config, against the direct URL", async () => {
    // Offline here, so the project's config picks Prisma's JS engine, as the test oracle does.
    const withConfig = makeProject({
      'prisma/schema.prisma': SCHEMA_WITH_DIRECT_URL,
      ...TWO_MIGRATIONS,
      'prisma.config.ts': `import { defineConfig } from 'prisma/config';\nimport { PrismaPg } from '@prisma/adapter-pg';\nexport default defineConfig({\n  engine: 'js',\n  experimental: { adapter: true },\n  schema: 'prisma/schema.prisma',\n  migrations: { path: 'prisma/migrations' },\n  adapter: async () => new PrismaPg({ connectionString: process.env.DIRECT_URL, allowExitOnIdle: true, idleTimeoutMillis: 200 }),\n});\n`,
      '.env': `DATABASE_URL="postgresql://app:nope@127.0.0.1:1/app"\nDIRECT_URL="${db.url}"\n`,
    });
    symlinkSync(path.join(REPO, 'node_modules'), path.join(withConfig, 'node_modules'));
    const r = await cli(['check', '--json'], { cwd: withConfig, env: { PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', PRISMA_QUERY_ENGINE_LIBRARY: '/bin/true' } });
    expect(r.stdout).toMatch(/2 applied, 0 pending; prisma migrate status: up to date/);
  });

  it('--migrations prisma is understood as prisma/migrations', async () => {
    const r = await cli(['status', '--json', '--debug', '--migrations', 'prisma'], { cwd: project });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(json(r).migrations.map((m: any) => m.state)).toEqual(['applied', 'applied']);
    // --debug says where folder and URL came from, on stderr so the JSON stays whole
    expect(r.stderr.split('\n')[0]).toBe('source: prisma/migrations (from --migrations), URL from DIRECT_URL in .env');
  });
});

describe('outside any Prisma project', () => {
  it('every folder command says it uses the bundled CitadelBuy runbook, on stderr, first', async () => {
    const empty = makeProject({ 'notes.txt': 'not a project' });
    const d = await freshDatabase('noproject');
    try {
      const r = await cli(['status', '--database-url', d.url], { cwd: empty });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr.split('\n')[0]).toMatch(/^Using the bundled CitadelBuy runbook \(no Prisma project in /);
      const j = await cli(['status', '--json', '--database-url', d.url], { cwd: empty });
      expect(json(j).source).toMatchObject({ bundled: true, migrationsFrom: 'bundled', url: '--database-url' });
      expect(j.stderr).toBe('');
    } finally {
      await d.drop();
    }
  });
});
