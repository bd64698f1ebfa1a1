import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli } from '../helpers/cli.js';
import { expectPrismaAgrees } from '../helpers/oracle.js';
import { FOUR, schemaOf } from '../helpers/rewrite.js';
import { splitStatements } from '../../src/engine/split.js';

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
async function database(prefix: string) {
  const db = await freshDatabase(prefix);
  drops.push(db.drop);
  await query(db.url, SETUP);
  return db;
}
const NAME = '20250101000000_four';
const folders = (dir: string) =>
  readdirSync(dir)
    .filter((f) => !f.includes('.'))
    .sort();

describe('plan --rewrite --apply', () => {
  it('writes the safe form as migrations Prisma can deploy (CONCURRENTLY alone in its file), keeps the original beside the folder; applied, it gives the schema as written', async () => {
    const written = await database('rwa_w');
    const target = await database('rwa_t');
    const dir = makeMigrations({ [NAME]: FOUR, '20250102000000_next': 'CREATE TABLE "Note" (id int);' });
    expect((await cli(['run', '--yes', '--database-url', written.url, '--migrations', dir])).exitCode).toBe(0);
    // the target's journal is in another folder: no database known there has applied the file
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-rwa-'));
    const env = { CITADEL_JOURNAL_DIR: journalDir };
    const args = ['plan', '--rewrite', '--apply', '--database-url', target.url, '--migrations', dir];
    const refused = await cli(args, { env });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('pass --yes to confirm');
    expect(folders(dir)).toEqual([NAME, '20250102000000_next']);

    const r = await cli([...args, '--yes'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${NAME} becomes 8 migrations:`);
    expect(r.stdout).toContain(`Written. The original folders are in ${dir}.before-rewrite.`);
    const made = folders(dir);
    expect(made).toEqual([...Array.from({ length: 8 }, (_, i) => `${NAME}_s0${i + 1}`), '20250102000000_next']);
    expect(readFileSync(path.join(`${dir}.before-rewrite`, NAME, 'migration.sql'), 'utf8')).toBe(FOUR);
    for (const f of made.slice(0, 8)) {
      const sql = readFileSync(path.join(dir, f, 'migration.sql'), 'utf8');
      const statements = await splitStatements(sql);
      // Prisma runs a file in one transaction: CONCURRENTLY must be alone in its own
      if (/CONCURRENTLY/.test(sql)) {
        expect(statements, f).toHaveLength(1);
        expect(statements[0]!.transactional).toBe(false);
      } else expect(statements.every((s) => s.transactional)).toBe(true);
    }
    expect(readFileSync(path.join(dir, `${NAME}_s05`, 'migration.sql'), 'utf8')).toBe(
      `-- step 5 of 8 of ${NAME} (plan --rewrite): build the index concurrently (an INVALID leftover of the same name is dropped first)\nCREATE UNIQUE INDEX CONCURRENTLY "User_email_key" ON "User"("email");\n`,
    );
    // the foreign key waits for the referenced table before it locks its own (no cycle with the application)
    expect(readFileSync(path.join(dir, `${NAME}_s07`, 'migration.sql'), 'utf8')).toMatch(
      /\nLOCK TABLE "User" IN SHARE ROW EXCLUSIVE MODE;\nALTER TABLE "Post" ADD CONSTRAINT "Post_userId_fkey" .* NOT VALID;\n$/,
    );
    // the folder as it now is, applied migration by migration as Prisma would
    const run = await cli(['run', '--yes', '--database-url', target.url, '--migrations', dir], { env });
    expect(run.exitCode, run.stderr).toBe(0);
    const ours = await expectPrismaAgrees(target.url, dir);
    expect(ours.every((s) => s.state === 'applied')).toBe(true);
    expect(await schemaOf(target.url)).toEqual(await schemaOf(written.url));
  });

  it('refuses a migration a known database has applied (its journal says so), and changes nothing', async () => {
    const staging = await database('rwa_s');
    const prod = await database('rwa_p');
    const dir = makeMigrations({ [NAME]: FOUR });
    expect((await cli(['run', '--yes', '--database-url', staging.url, '--migrations', dir])).exitCode).toBe(0);
    const r = await cli([
      'plan',
      '--rewrite',
      '--apply',
      '--yes',
      '--json',
      '--database-url',
      prod.url,
      '--migrations',
      dir,
    ]);
    expect(r.exitCode).toBe(1);
    // every database this host's journals know to have applied it (the first test's too)
    expect(r.stderr).toMatch(new RegExp(`^Not written: ${NAME} is applied on databases? [a-z0-9_, ]*${staging.name}`));
    expect(r.stderr).toContain(
      '(their journals say so), and a changed file would read as modified there. Use `citadel-migrate run --rewrite` instead, which runs the safe form and keeps the file as written.',
    );
    expect(r.stdout).toBe('');
    expect(folders(dir)).toEqual([NAME]);
    expect(readFileSync(path.join(dir, NAME, 'migration.sql'), 'utf8')).toBe(FOUR);
    expect(existsSync(`${dir}.before-rewrite`)).toBe(false);
  });
});
