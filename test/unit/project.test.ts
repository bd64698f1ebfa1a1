import { describe, it, expect, afterEach } from 'vitest';
import path from 'node:path';
import { findProject, describeProject } from '../../src/project/discover.js';
import { makeProject, SCHEMA_WITH_DIRECT_URL, TWO_MIGRATIONS } from '../helpers/project.js';

const BUNDLED = '/bundled/migrations';
const find = (cwd: string, extra: Record<string, string> = {}) => findProject({ cwd, bundledDir: BUNDLED, ...extra });

describe('the project is found as Prisma finds it', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['DIRECT_URL', 'DATABASE_URL', 'MIGRATE_URL']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('prisma/schema.prisma: migrations beside it, directUrl from .env, the environment winning over .env', () => {
    delete process.env.DIRECT_URL;
    const cwd = makeProject({
      'prisma/schema.prisma': SCHEMA_WITH_DIRECT_URL,
      ...TWO_MIGRATIONS,
      '.env': 'DATABASE_URL=postgresql://app@pooler:6543/app\nDIRECT_URL="postgresql://owner@db:5432/app"\n',
    });
    const p = find(cwd);
    expect(p.migrationsDir).toBe(path.join(cwd, 'prisma/migrations'));
    expect(p.url.value).toBe('postgresql://owner@db:5432/app');
    expect(p.directUrlVariable).toBe('DIRECT_URL');
    expect(describeProject(p)).toBe('prisma/migrations (from prisma/schema.prisma), URL from DIRECT_URL in .env');
    process.env.DIRECT_URL = 'postgresql://owner@elsewhere:5432/app';
    expect(find(cwd).url).toMatchObject({
      value: 'postgresql://owner@elsewhere:5432/app',
      from: 'DIRECT_URL in the environment',
    });
    expect(find(cwd, { databaseUrl: 'postgresql://x@y/z' }).url.from).toBe('--database-url');
  });

  it('a .env beside the schema is read after the root one, and an unset directUrl variable is an error naming it', () => {
    delete process.env.DIRECT_URL;
    const cwd = makeProject({
      'prisma/schema.prisma': SCHEMA_WITH_DIRECT_URL,
      'prisma/.env': 'DIRECT_URL=postgresql://o@beside:5432/app\n',
      '.env': 'DATABASE_URL=postgresql://a@root:5432/app\n',
    });
    expect(find(cwd).url).toMatchObject({ value: 'postgresql://o@beside:5432/app', from: 'DIRECT_URL in prisma/.env' });
    const bare = makeProject({ 'prisma/schema.prisma': SCHEMA_WITH_DIRECT_URL });
    expect(find(bare).url.error?.message).toMatch(
      /directUrl of prisma\/schema.prisma reads DIRECT_URL, which is not set in the environment, and there is no \.env file/,
    );
  });

  it('prisma.config.ts: schema, migrations.path and the datasource url, read without running the file', () => {
    delete process.env.MIGRATE_URL;
    const cwd = makeProject({
      'prisma.config.ts': `import 'dotenv/config';\nimport path from 'node:path';\nimport { defineConfig, env } from 'prisma/config';\n// schema: 'wrong/place.prisma'\nexport default defineConfig({\n  schema: path.join('db', 'schema'),\n  migrations: { path: 'db/history' },\n  datasource: { url: env('MIGRATE_URL') },\n});\n`,
      'db/schema/base.prisma': 'datasource db {\n  provider = "postgresql"\n}\n',
      'db/schema/models/user.prisma': 'model User {\n  id Int @id\n}\n',
      '.env': 'MIGRATE_URL=postgresql://m@cfg:5432/app\n',
    });
    const p = find(cwd);
    expect(p.schema).toBe(path.join(cwd, 'db/schema'));
    expect(p.schemaFrom).toBe('prisma.config.ts');
    expect(p.migrationsDir).toBe(path.join(cwd, 'db/history'));
    expect(p.url).toMatchObject({ value: 'postgresql://m@cfg:5432/app', from: 'MIGRATE_URL in .env' });
  });

  it("package.json's prisma.schema, a schema folder, --schema, and the bundled runbook when there is no project", () => {
    const pkg = makeProject({
      'package.json': JSON.stringify({ name: 'app', prisma: { schema: 'database/schema.prisma' } }),
      'database/schema.prisma': 'datasource db {\n provider = "postgresql"\n url = env("DATABASE_URL")\n}\n',
    });
    expect(find(pkg)).toMatchObject({
      schemaFrom: 'package.json',
      migrationsDir: path.join(pkg, 'database/migrations'),
      bundled: false,
    });
    const folder = makeProject({
      'prisma/schema/main.prisma': 'datasource db {\n provider = "postgresql"\n url = env("DATABASE_URL")\n}\n',
      'prisma/schema/post.prisma': 'model Post {\n id Int @id\n}\n',
    });
    expect(find(folder)).toMatchObject({
      schemaFrom: 'prisma/schema/',
      migrationsDir: path.join(folder, 'prisma/schema/migrations'),
    });
    expect(() => find(pkg, { schema: 'x/none.prisma' })).toThrow(/does not exist: pass --schema/);
    expect(find(folder, { schema: 'prisma/schema' })).toMatchObject({
      schemaFrom: '--schema',
      migrationsDir: path.join(folder, 'prisma/schema/migrations'),
    });
  });

  it('with no project the bundled runbook is used and said so; --migrations prisma means prisma/migrations', () => {
    const empty = makeProject({ 'README.md': 'nothing here' });
    const p = find(empty);
    expect(p.bundled).toBe(true);
    expect(p.migrationsDir).toBe(BUNDLED);
    expect(describeProject(p)).toMatch(/^bundled CitadelBuy runbook, URL from /);
    const proj = makeProject({ 'prisma/schema.prisma': SCHEMA_WITH_DIRECT_URL, ...TWO_MIGRATIONS });
    const q = find(proj, { migrations: 'prisma' });
    expect(q.migrationsDir).toBe(path.join(proj, 'prisma/migrations'));
    expect(q.notes[0]).toMatch(/--migrations prisma holds a migrations folder: using prisma\/migrations/);
  });
});
