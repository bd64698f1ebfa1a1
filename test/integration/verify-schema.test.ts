// verify against the project's schema.prisma: a database migrated from the project's own folder
// matches it; one changed by hand afterwards (a column dropped, an index dropped, a NOT NULL set)
// is listed as drift in the DBA's words, and the report says what was compared.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase, query, client } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { readMigrationsFolder } from '../../src/runbook/folder.js';
import { ensureHistoryTable, insertStarted, markFinished } from '../../src/runbook/history.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/prisma-project/', import.meta.url));

/** A copy of the fixture project that a test may change. */
function project(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-verify-project-'));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

/** Applies every migration of the folder as Prisma would (script, then a finished history row). */
async function migrate(url: string, dir: string) {
  const folder = await readMigrationsFolder(dir);
  const c = await client(url);
  try {
    await ensureHistoryTable(c);
    for (const m of folder.migrations) {
      await c.query(m.sql);
      await markFinished(c, await insertStarted(c, m.name, m.checksum));
    }
  } finally {
    await c.end();
  }
}

describe('verify against schema.prisma', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-verify-schema-journal-'));
  const dir = project();
  const verify = (cwd: string, url: string, args: string[] = []) =>
    cli(['verify', ...args, '--journal-dir', journalDir], { cwd, env: { DATABASE_URL: url } });

  beforeAll(async () => {
    db = await freshDatabase('vschema');
    await migrate(db.url, path.join(dir, 'prisma', 'migrations'));
  });
  afterAll(() => db.drop());

  it('a database migrated from the project matches its schema: says what was compared', async () => {
    const r = await verify(dir, db.url);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /✓ Schema: the database matches prisma\/schema\.prisma \(6 tables, 29 columns, 6 primary keys, 7 indexes, 5 foreign keys, 2 enums\)/,
    );
    expect(r.stdout).not.toMatch(/no runbook manifest/);
    const out = json(await verify(dir, db.url, ['--json']));
    expect(out.ok).toBe(true);
    expect(out.schema).toMatchObject({
      file: 'prisma/schema.prisma',
      ok: true,
      drift: [],
      compared: { tables: 6, enums: 2 },
    });
  });

  it('a database changed by hand: lists each drift in words, exits 1, --json carries it', async () => {
    const d = await freshDatabase('vschema_drift');
    try {
      await migrate(d.url, path.join(dir, 'prisma', 'migrations'));
      await query(d.url, `ALTER TABLE orders DROP COLUMN note`);
      await query(d.url, `DROP INDEX "orders_userId_idx"`);
      await query(d.url, `ALTER TABLE "User" ALTER COLUMN name SET NOT NULL`);
      await query(d.url, `ALTER TABLE "Post" ALTER COLUMN views DROP DEFAULT`);
      await query(d.url, `ALTER TYPE "Role" ADD VALUE 'GUEST'`);
      await query(d.url, `CREATE TABLE audit_by_hand (id int)`);
      const r = await verify(dir, d.url);
      expect(r.exitCode, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/✗ Schema: 6 differences between the database and prisma\/schema\.prisma/);
      expect(r.stdout).toMatch(/column orders\.note is missing \(model Order, field note String\?\)/);
      expect(r.stdout).toMatch(
        /index "orders_userId_idx" on orders \("userId"\) is missing \(model Order: @@index\(\[userId\]\)\)/,
      );
      expect(r.stdout).toMatch(
        /column "User"\.name is NOT NULL in the database; the schema has it optional \(String\? @db\.VarChar\(255\)\)/,
      );
      expect(r.stdout).toMatch(/column "Post"\.views has no default; the schema says @default\(0\)/);
      expect(r.stdout).toMatch(/enum "Role" has value 'GUEST', which the schema does not list/);
      expect(r.stdout).toMatch(/table audit_by_hand is not in the schema/);
      const out = json(await verify(dir, d.url, ['--json']));
      expect(out.ok).toBe(false);
      expect(out.schema.ok).toBe(false);
      expect(out.schema.drift.map((x: { kind: string }) => x.kind).sort()).toEqual([
        'column-default',
        'column-missing',
        'column-nullability',
        'enum-value-extra',
        'index-missing',
        'table-extra',
      ]);
      expect(out.schema.drift.find((x: { kind: string }) => x.kind === 'column-missing')).toMatchObject({
        table: 'orders',
        column: 'note',
        model: 'Order',
      });
      const report = await cli(['report', '--journal-dir', journalDir], { cwd: dir, env: { DATABASE_URL: d.url } });
      expect(report.stdout).toMatch(
        /\| verify \| 6 differences from prisma\/schema\.prisma: column "User"\.name is NOT NULL in the database.*; and 3 more; integrity checks warn/,
      );
    } finally {
      await d.drop();
    }
  });

  it('reads a multi-file schema folder (prisma/schema/*.prisma) the same way', async () => {
    const split = project();
    const schema = readFileSync(path.join(split, 'prisma', 'schema.prisma'), 'utf8');
    const at = schema.indexOf('model Post');
    mkdirSync(path.join(split, 'prisma', 'schema'));
    writeFileSync(path.join(split, 'prisma', 'schema', 'schema.prisma'), schema.slice(0, at));
    writeFileSync(path.join(split, 'prisma', 'schema', 'shop.prisma'), schema.slice(at));
    renameSync(path.join(split, 'prisma', 'migrations'), path.join(split, 'prisma', 'schema', 'migrations'));
    renameSync(path.join(split, 'prisma', 'schema.prisma'), path.join(split, 'prisma', 'old.prisma.txt'));
    const r = await verify(split, db.url);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ Schema: the database matches prisma\/schema\/ \(6 tables, 29 columns/);
  });

  it('a schema that does not parse: says where, checks nothing else of it, exits 2', async () => {
    const broken = project();
    writeFileSync(
      path.join(broken, 'prisma', 'schema.prisma'),
      'model User {\n  id Int @id\n  email String @unique(\n}\n',
    );
    const r = await verify(broken, db.url);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/prisma\/schema\.prisma could not be read as a Prisma schema \(line \d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('report says what verify compared, and never "all expected changes present" when nothing was', async () => {
    const r = await cli(['report', '--journal-dir', journalDir], { cwd: dir, env: { DATABASE_URL: db.url } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /\| verify \| .*schema\.prisma matches \(6 tables, 29 columns, 6 primary keys, 7 indexes, 5 foreign keys, 2 enums\)/,
    );
    expect(r.stdout).not.toMatch(/all expected changes present/);

    const bare = mkdtempSync(path.join(os.tmpdir(), 'cm-verify-bare-'));
    mkdirSync(path.join(bare, 'm', '1_a'), { recursive: true });
    writeFileSync(path.join(bare, 'm', '1_a', 'migration.sql'), 'SELECT 1;');
    const v = await cli(['verify', '--migrations', 'm', '--journal-dir', journalDir], {
      cwd: bare,
      env: { DATABASE_URL: db.url },
    });
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/Schema: not compared \(no schema\.prisma found/);
    const rep = await cli(['report', '--journal-dir', journalDir], { cwd: bare, env: { DATABASE_URL: db.url } });
    expect(rep.stdout).toMatch(
      /\| verify \| .*integrity checks pass; not checked: the schema \(no schema\.prisma found/,
    );
  });
});
