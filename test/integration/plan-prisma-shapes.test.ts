import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { copyBundled, makeMigrations } from '../helpers/folders.js';

// A Prisma migrations folder holding every SQL shape `prisma migrate dev` writes for PostgreSQL
// (and the usual hand-written additions): plan must raise no error on it, and it must apply.
const CORPUS = fileURLToPath(new URL('../fixtures/prisma-shapes/', import.meta.url));
const corpus = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-shapes-'));
  cpSync(CORPUS, path.join(dir, 'migrations'), { recursive: true });
  return path.join(dir, 'migrations');
};

let db: Awaited<ReturnType<typeof freshDatabase>>;
let journalDir: string;
beforeAll(async () => {
  db = await freshDatabase('shapes');
  journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-shapes-journal-'));
});
afterAll(async () => {
  await db?.drop();
});

const errorsOf = (out: any) =>
  out.findings.filter((f: any) => f.severity === 'error').map((f: any) => `${f.migration}:${f.statement} ${f.message}`);

describe('plan on the SQL Prisma generates', () => {
  it('raises no error on the corpus before it is applied, which then applies cleanly with run', async () => {
    const dir = corpus();
    const r = await cli(['plan', '--json', '--database-url', db.url, '--migrations', dir, '--journal-dir', journalDir]);
    const out = json(r);
    expect(errorsOf(out)).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(out.migrations).toHaveLength(7);

    const run = await cli(['run', '--yes', '--database-url', db.url, '--migrations', dir, '--journal-dir', journalDir]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('✓ 20240107000000_drop_relations');
    const seqs = await query<{ relname: string }>(
      db.url,
      `SELECT relname FROM pg_class WHERE relkind = 'S' ORDER BY 1`,
    );
    expect(seqs.map((s) => s.relname)).toEqual([
      'AuditEntry_id_seq',
      'Label_id_seq',
      'OrganizationMembershipInvitationReminderSchedule_identifier_seq',
      'Post_id_seq',
      'User_id_seq',
      'counter_id_seq',
    ]);
  });

  it('raises no error on the bundled runbook once plan --apply-fixes has fixed its order and names', async () => {
    const fresh = await freshDatabase('shapesb');
    try {
      const dir = copyBundled();
      expect(
        (
          await cli([
            'plan',
            '--apply-fixes',
            '--yes',
            '--database-url',
            fresh.url,
            '--migrations',
            dir,
            '--journal-dir',
            journalDir,
          ])
        ).exitCode,
      ).toBe(0);
      const r = await cli([
        'plan',
        '--json',
        '--database-url',
        fresh.url,
        '--migrations',
        dir,
        '--journal-dir',
        journalDir,
      ]);
      expect(errorsOf(json(r))).toEqual([]);
      expect(r.exitCode).toBe(0);
    } finally {
      await fresh.drop();
    }
  });

  it('knows the types and tables of other schemas on the search path (extensions installed in their own schema)', async () => {
    const other = await freshDatabase('shapess');
    try {
      await query(
        other.url,
        `CREATE SCHEMA extensions; CREATE EXTENSION citext SCHEMA extensions;
        CREATE SCHEMA shared; CREATE TABLE shared."Country" (code text PRIMARY KEY);
        ALTER DATABASE "${other.name}" SET search_path = "$user", public, extensions, shared;`,
      );
      const dir = makeMigrations({
        '001_users':
          'CREATE TABLE "User" ("id" SERIAL NOT NULL, "email" CITEXT NOT NULL, "country" TEXT REFERENCES "Country"("code"), CONSTRAINT "User_pkey" PRIMARY KEY ("id"));',
        '002_missing': 'ALTER TABLE "Nowhere" ADD COLUMN "x" INTEGER;',
        '003_no_extension': 'CREATE TABLE "Prefs" ("id" INTEGER NOT NULL, "data" HSTORE);',
      });
      const out = json(
        await cli(['plan', '--json', '--database-url', other.url, '--migrations', dir, '--journal-dir', journalDir]),
      );
      expect(errorsOf(out)).toEqual([
        '002_missing:1 relation "Nowhere" does not exist on the target and no migration of this run creates it',
        // hstore is an extension's type: without CREATE EXTENSION in the run or on the target, an error
        '003_no_extension:1 type "hstore" does not exist on the target and no migration of this run creates it',
      ]);
    } finally {
      await other.drop();
    }
  });
});
