import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { splitStatements } from '../../src/engine/split.js';

/** SQL that is legal but awkward to split, and SQL that is not legal: split right, or refused with its line. */
const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-hostile-sql-journal-')) };
const run = (url: string, dir: string) =>
  cli(['run', '--yes', '--json', '--database-url', url, '--migrations', dir], { env });

const AWKWARD = [
  '-- leading comment; with a semicolon',
  '/* a /* nested; */ block comment */',
  'CREATE TABLE "größe 漢字" (id int, note text);', // multibyte identifier before later statements
  "INSERT INTO \"größe 漢字\" VALUES (1, E'it\\'s; \\\\ fine'), (2, 'dollar $$ and ; in '' quotes');",
  'CREATE FUNCTION bump(n int) RETURNS int LANGUAGE plpgsql AS $fn$',
  'BEGIN',
  '  RETURN n + 1; -- ; inside',
  'END;',
  '$fn$;',
  'DO $$ BEGIN INSERT INTO "größe 漢字" VALUES (bump(2), \'from a DO; block\'); END $$;',
  'INSERT INTO "größe 漢字" VALUES (4, $body$text; with \'quotes\' and $$ inside$body$)',
].join('\r\n');

describe('awkward but valid SQL', () => {
  it('splits it into the right statements, each on its line, with CRLF endings and multibyte text', async () => {
    const s = await splitStatements(AWKWARD);
    expect(s.map((x) => [x.line, x.kind])).toEqual([
      [3, 'CreateStmt'],
      [4, 'InsertStmt'],
      [5, 'CreateFunctionStmt'],
      [10, 'DoStmt'],
      [11, 'InsertStmt'],
    ]);
    expect(s[1]!.sql).toBe(
      "INSERT INTO \"größe 漢字\" VALUES (1, E'it\\'s; \\\\ fine'), (2, 'dollar $$ and ; in '' quotes')",
    );
    expect(s[2]!.sql).toMatch(/^CREATE FUNCTION bump[\s\S]*RETURN n \+ 1; -- ; inside\r\nEND;\r\n\$fn\$$/);
    expect(s[4]!.sql).toBe('INSERT INTO "größe 漢字" VALUES (4, $body$text; with \'quotes\' and $$ inside$body$)');
  });

  it('applies it through run, text intact', async () => {
    const db = await freshDatabase('awkward');
    try {
      const r = await run(db.url, makeMigrations({ '1_awkward': AWKWARD }));
      expect(r.exitCode, r.stderr).toBe(0);
      expect(json(r).migrations[0]).toMatchObject({ outcome: 'applied', statements: 5 });
      const rows = await query<{ id: number; note: string }>(db.url, `SELECT id, note FROM "größe 漢字" ORDER BY id`);
      expect(rows).toEqual([
        { id: 1, note: "it's; \\ fine" },
        { id: 2, note: "dollar $$ and ; in ' quotes" },
        { id: 3, note: 'from a DO; block' },
        { id: 4, note: "text; with 'quotes' and $$ inside" },
      ]);
    } finally {
      await db.drop();
    }
  });
});

describe('SQL that cannot run', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'a syntax error after multibyte text and CRLF',
      'CREATE TABLE "漢字" (id int);\r\n-- ünïcödé\r\n\r\nCREAT TABLE x (id int);\r\n',
      /^1_bad\/migration.sql, line 4: syntax error at or near "CREAT": fix the SQL/,
    ],
    [
      'an unterminated dollar quote',
      'SELECT 1;\nDO $$ BEGIN\n  NULL;\nEND;\n',
      /^1_bad\/migration.sql, line 2: unterminated dollar-quoted string at or near "\$\$ BEGIN NULL; END; "/,
    ],
    [
      'an unterminated block comment',
      'SELECT 1;\n/* never /* closed */\nSELECT 2;\n',
      /^1_bad\/migration.sql, line 2: unterminated \/\* comment/,
    ],
    [
      'COPY FROM stdin with its data inline',
      'CREATE TABLE t (a int, b text);\n\nCOPY t (a, b) FROM stdin;\n1\tone\n2\ttwo\n\\.\n',
      /^1_bad\/migration.sql, line 3: COPY \.\.\. FROM stdin reads its rows from the client, which only psql can send: load the data with psql, or write it as INSERT statements\.$/,
    ],
    [
      'COPY FROM stdin as the last statement',
      'CREATE TABLE t (a int);\r\nCOPY t FROM STDIN',
      /^1_bad\/migration.sql, line 2: COPY \.\.\. FROM stdin reads its rows/,
    ],
  ];

  it.each(cases)('%s: refused with its line, nothing applied', async (_what, sql, message) => {
    const db = await freshDatabase('badsql');
    try {
      const r = await run(db.url, makeMigrations({ '1_bad': sql }));
      expect(r.exitCode, r.stdout).toBe(2);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(
        await query(
          db.url,
          `SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
        ),
      ).toHaveLength(0);
    } finally {
      await db.drop();
    }
  });
});
