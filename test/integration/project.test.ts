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
const advisoryLocks = async (url: string) =>
  Number(
    (
      await query<{ n: number }>(
        url,
        "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()",
      )
    )[0]!.n,
  );
const history = async (url: string) =>
  (
    await query<{ migration_name: string }>(
      url,
      'SELECT migration_name FROM _prisma_migrations ORDER BY migration_name',
    )
  ).map((r) => r.migration_name);

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

  it("status with no flags lists the project's migrations from the direct URL and says where both came from", async () => {
    const r = await cli(['status', '--json'], { cwd: project });
    expect(r.exitCode, r.stderr).toBe(1); // pending, as prisma migrate status
    const doc = json(r);
    expect(doc.migrations.map((m: any) => `${m.name}:${m.state}`)).toEqual([
      '20240101000000_init:pending',
      '20240102000000_add_name:pending',
    ]);
    expect(doc.source).toMatchObject({
      migrations: 'prisma/migrations',
      migrationsFrom: 'prisma/schema.prisma',
      schema: 'prisma/schema.prisma',
      url: 'DIRECT_URL in .env',
      bundled: false,
    });
    expect(r.stderr).toBe('');
    const human = await cli(['status'], { cwd: project });
    expect(human.stdout.split('\n')[0]).toBe(
      'Source: prisma/migrations (from prisma/schema.prisma), URL from DIRECT_URL in .env',
    );
    // the environment wins over .env, as with Prisma
    const env = await cli(['status', '--json'], {
      cwd: project,
      env: { DIRECT_URL: 'postgresql://u:p@127.0.0.1:1/elsewhere' },
    });
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
    expect(refusal).toMatch(
      /^This is not the database's migrations folder: none of the database's 2 applied migrations \(newest 20240102000000_add_name\) is among the 7 in \/.*migrations; .* --allow-foreign-history .*\.$/,
    );
    expect(await history(db.url)).toEqual(['20240101000000_init', '20240102000000_add_name']);
    expect(await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'password_reset_tokens'")).toEqual([]);
    expect(await advisoryLocks(db.url)).toBe(0);

    const skip = await cli(['skip', 'organization_module', '--reason', 'test', '--yes', '--migrations', BUNDLED], {
      cwd: project,
    });
    expect(skip.exitCode).toBe(1);
    expect(skip.stderr).toMatch(/not the database's migrations folder/);
    expect(await history(db.url)).toHaveLength(2);

    const status = await cli(['status', '--migrations', BUNDLED], { cwd: project });
    expect(status.exitCode).toBe(1); // the bundled folder's 7 are pending here
    expect(status.stdout).toMatch(
      /! This is not the database's migrations folder: none of the database's 2 applied migrations/,
    );
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
    const r = await cli(['check', '--json'], {
      cwd: withConfig,
      env: { PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', PRISMA_QUERY_ENGINE_LIBRARY: '/bin/true' },
    });
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
      expect(r.exitCode, r.stderr).toBe(1); // pending, as prisma migrate status
      expect(r.stderr.split('\n')[0]).toMatch(/^Using the bundled CitadelBuy runbook \(no Prisma project in /);
      const j = await cli(['status', '--json', '--database-url', d.url], { cwd: empty });
      expect(json(j).source).toMatchObject({ bundled: true, migrationsFrom: 'bundled', url: '--database-url' });
      expect(j.stderr).toBe('');
    } finally {
      await d.drop();
    }
  });
});

describe('a monorepo root: the project lives below (issue 26)', () => {
  // apps/api holds the project; a dependency's and a hidden folder's schemas are not the user's
  const monorepo = () =>
    makeProject({
      'package.json': JSON.stringify({ name: 'root', private: true, workspaces: ['apps/*'] }),
      'apps/api/prisma/schema.prisma': SCHEMA_WITH_DIRECT_URL,
      ...Object.fromEntries(Object.entries(TWO_MIGRATIONS).map(([k, v]) => [`apps/api/${k}`, v])),
      'node_modules/some-lib/prisma/schema.prisma': 'datasource db {\n provider = "postgresql"\n}\n',
      '.cache/prisma/schema.prisma': 'datasource db {\n provider = "postgresql"\n}\n',
    });

  it('run, skip, rollback and backup refuse on a database and name the schema below with the cd or --schema to use', async () => {
    const root = monorepo();
    const d = await freshDatabase('monorepo');
    try {
      const hint = 'apps/api/prisma/schema.prisma (cd apps/api, or pass --schema apps/api/prisma/schema.prisma)';
      for (const args of [
        ['run', '--yes'],
        ['skip', 'organization_module', '--reason', 'x', '--yes'],
        ['rollback', 'organization_module', '--yes'],
        ['backup', '--backup-dir', path.join(root, 'b')],
      ]) {
        const r = await cli([...args, '--database-url', d.url], { cwd: root });
        expect(r.exitCode, `${args[0]}: ${r.stderr}`).toBe(1);
        expect(r.stderr.trim()).toBe(
          `No Prisma project in ${root}: refusing to ${({ run: 'apply migrations', skip: 'mark a migration applied', rollback: 'roll back a migration', backup: 'take a backup' } as Record<string, string>)[args[0]!]} with the bundled CitadelBuy runbook, which is the demo's. Use the Prisma schema found below: ${hint}.`,
        );
      }
      // nothing written: no history table, no CitadelBuy table, no backup
      expect(await query(d.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);
      // read-only commands show the bundled runbook, labelled
      const status = await cli(['status', '--database-url', d.url], { cwd: root });
      expect(status.exitCode, status.stderr).toBe(1); // pending, as prisma migrate status
      expect(status.stderr.split('\n')[0]).toMatch(/^Using the bundled CitadelBuy runbook \(no Prisma project in /);
      // the cd the refusal names finds the project
      const there = await cli(['status', '--json', '--database-url', d.url], { cwd: path.join(root, 'apps/api') });
      expect(json(there).migrations.map((m: any) => m.name)).toEqual([
        '20240101000000_init',
        '20240102000000_add_name',
      ]);
      // asked for by name, the bundled runbook goes through to the database's own checks
      const asked = await cli(['status', '--bundled', '--json', '--database-url', d.url], { cwd: root });
      expect(json(asked).source).toMatchObject({ bundled: true, migrationsFrom: '--bundled' });
    } finally {
      await d.drop();
    }
  });

  it('with no schema anywhere below, the refusal says so and names --bundled', async () => {
    const empty = makeProject({ 'notes.txt': 'not a project', 'a/b/c/d/schema.prisma': 'too deep' });
    const r = await cli(['run', '--yes', '--database-url', 'postgresql://u@127.0.0.1:1/x'], { cwd: empty });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(
      `No Prisma project in ${empty}: refusing to apply migrations with the bundled CitadelBuy runbook, which is the demo's; no schema.prisma in the three folder levels below either: run in your project's folder or pass --schema or --migrations (--bundled if you do mean the CitadelBuy runbook).`,
    );
  });
});

describe('answers that name their source (issue 26)', () => {
  it('a wrong password in DIRECT_URL from .env names DIRECT_URL and the .env file', async () => {
    const d = await freshDatabase('wrongpw');
    try {
      const wrong = new URL(d.url);
      wrong.password = 'Wr0ng-Secret';
      const p = makeProject({
        'prisma/schema.prisma': SCHEMA_WITH_DIRECT_URL,
        ...TWO_MIGRATIONS,
        '.env': `DATABASE_URL="postgresql://app@127.0.0.1:1/app"\nDIRECT_URL="${wrong.href}"\n`,
      });
      const r = await cli(['status'], { cwd: p });
      expect(r.exitCode).toBe(3);
      expect(r.stderr.trim()).toBe(
        `Password authentication failed for user "${wrong.username}" at ${wrong.hostname}:${wrong.port}: check the password in DIRECT_URL (from .env).`,
      );
      expect(r.stderr).not.toContain('Wr0ng-Secret');
    } finally {
      await d.drop();
    }
  });

  it("a computed URL in prisma.config.ts: says the config's URL was ignored and why", async () => {
    const config = `import { defineConfig } from 'prisma/config';\nimport { buildUrl } from './db';\nexport default defineConfig({\n  schema: 'prisma/schema.prisma',\n  datasource: { url: buildUrl(process.env.DB_HOST, 'app') },\n});\n`;
    const schema = 'datasource db {\n  provider = "postgresql"\n}\n';
    const p = makeProject({ 'prisma.config.ts': config, 'prisma/schema.prisma': schema, ...TWO_MIGRATIONS });
    const r = await cli(['status'], { cwd: p });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      "prisma.config.ts computes its datasource URL (`buildUrl(process.env.DB_HOST, 'app')`), which is ignored: the config is read, never run (running it could run anything on this host): pass --database-url, or set DATABASE_URL.",
    );
    // with DATABASE_URL in .env, that is used, and said
    const d = await freshDatabase('computed');
    try {
      const withEnv = makeProject({
        'prisma.config.ts': config,
        'prisma/schema.prisma': schema,
        ...TWO_MIGRATIONS,
        '.env': `DATABASE_URL="${d.url}"\n`,
      });
      const s = await cli(['status'], { cwd: withEnv });
      expect(s.exitCode, s.stderr).toBe(1); // pending
      expect(s.stderr).toContain(
        "Note: prisma.config.ts computes its datasource URL (`buildUrl(process.env.DB_HOST, 'app')`), which is ignored: the config is read, never run; using DATABASE_URL from .env instead.",
      );
    } finally {
      await d.drop();
    }
  });
});
