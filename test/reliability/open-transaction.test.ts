import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli } from '../helpers/cli.js';
import { expectPrismaAgrees } from '../helpers/oracle.js';

/** A migration that opens a transaction and never closes it must not be reported applied, nor commit under another. */
const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-open-txn-journal-')) };
const run = (url: string, dir: string) => cli(['run', '--yes', '--database-url', url, '--migrations', dir], { env });
const tables = async (url: string) =>
  (
    await query<{ t: string }>(
      url,
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
    )
  ).map((r) => r.t);

describe('an unclosed BEGIN in a migration', () => {
  it('as the last migration: failed with one sentence, nothing under the BEGIN committed, Prisma agrees', async () => {
    const db = await freshDatabase('openlast');
    const dir = makeMigrations({
      '1_ok': 'CREATE TABLE a (id int);',
      '2_open': 'CREATE TABLE before_begin (id int);\nBEGIN;\nCREATE TABLE under_begin (id int);\n',
    });
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/✓ 1_ok/);
      expect(r.stderr).toMatch(
        /✗ 2_open {2}failed: 2_open\/migration.sql opens a transaction \(BEGIN on line 2\) that it never closes/,
      );
      expect(r.stderr).toMatch(/rolled back/);
      expect(r.stderr).not.toMatch(/2 applied/);
      // what ran before the BEGIN was committed on its own; nothing under the BEGIN was
      expect(await tables(db.url)).toEqual(['a', 'before_begin']);
      const rows = await query<{ migration_name: string; done: boolean; logs: string | null }>(
        db.url,
        `SELECT migration_name, finished_at IS NOT NULL AS done, logs FROM _prisma_migrations ORDER BY started_at`,
      );
      expect(rows.map((x) => [x.migration_name, x.done])).toEqual([
        ['1_ok', true],
        ['2_open', false],
      ]);
      expect(rows[1]!.logs).toMatch(/never closes/);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied', 'failed']);
    } finally {
      await db.drop();
    }
  });

  it('followed by another migration: the next one does not run, and its COMMIT does not commit both', async () => {
    const db = await freshDatabase('openmid');
    const dir = makeMigrations({
      '1_open': 'BEGIN;\nCREATE TABLE under_begin (id int);',
      '2_next': 'CREATE TABLE next_one (id int);',
      '3_chain': 'CREATE TABLE chained (id int);',
    });
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        /✗ 1_open {2}failed: 1_open\/migration.sql opens a transaction \(BEGIN on line 1\) that it never closes/,
      );
      expect(r.stderr).not.toMatch(/✓ 2_next/);
      expect(await tables(db.url)).toEqual([]);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['failed', 'pending', 'pending']);
    } finally {
      await db.drop();
    }
  });

  it('COMMIT AND CHAIN leaves a transaction open too: caught from the session, not from the text', async () => {
    const db = await freshDatabase('openchain');
    const dir = makeMigrations({
      '1_chain': 'BEGIN;\nCREATE TABLE first_part (id int);\nCOMMIT AND CHAIN;\nCREATE TABLE second_part (id int);',
      '2_next': 'CREATE TABLE next_one (id int);',
    });
    try {
      const r = await run(db.url, dir);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        /✗ 1_chain {2}failed: 1_chain\/migration.sql opens a transaction \(COMMIT AND CHAIN on line 3\) that it never closes/,
      );
      expect(await tables(db.url)).toEqual(['first_part']);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['failed', 'pending']);
    } finally {
      await db.drop();
    }
  });

  it('in down.sql: the rollback fails with one sentence and the migration stays applied', async () => {
    const db = await freshDatabase('opendown');
    const dir = makeMigrations({ '1_t': { up: 'CREATE TABLE t (id int);', down: 'BEGIN;\nDROP TABLE t;' } });
    try {
      expect((await run(db.url, dir)).exitCode).toBe(0);
      const r = await cli(['rollback', '1_t', '--yes', '--database-url', db.url, '--migrations', dir], { env });
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr.trim()).toMatch(
        /^1_t\/down.sql opens a transaction \(BEGIN on line 1\) that it never closes, so everything after it was rolled back/,
      );
      expect(await tables(db.url)).toEqual(['t']);
      expect((await expectPrismaAgrees(db.url, dir)).map((m) => m.state)).toEqual(['applied']);
    } finally {
      await db.drop();
    }
  });
});
