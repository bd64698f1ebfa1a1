import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';

describe('plan: statements that change the session under the engine', () => {
  it('reports each, with its line, severity and reason; an unrelated advisory unlock is not reported', async () => {
    const db = await freshDatabase('plansess');
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-plansess-'));
    const dir = makeMigrations({
      '1_session': [
        'CREATE TABLE s (id int);',
        'RESET ALL;',
        "SET lock_timeout = '0';",
        'SET ROLE app_owner;',
        'SET search_path = other;',
        'SELECT pg_advisory_unlock_all();',
        'SELECT pg_advisory_unlock(72707369);',
        'SELECT pg_advisory_unlock(42);',
        'DO $$ BEGIN PERFORM pg_advisory_unlock_all(); END $$;',
        'SET SESSION AUTHORIZATION someone;',
      ].join('\n'),
    });
    try {
      const r = await cli([
        'plan',
        '--json',
        '--database-url',
        db.url,
        '--migrations',
        dir,
        '--journal-dir',
        journalDir,
      ]);
      expect(r.exitCode).toBe(1);
      const got = json(r)
        .findings.filter((f: any) => f.source === 'runbook')
        .map((f: any) => `${f.statement} ${f.severity} ${f.rule}`);
      expect(got.sort()).toEqual(
        [
          '2 warning session-reset',
          '3 warning session-timeouts',
          '4 warning session-role',
          '5 warning session-search-path',
          '6 error releases-advisory-lock',
          '7 error releases-advisory-lock',
          '9 error releases-advisory-lock',
          '10 warning session-authorization',
        ].sort(),
      );
      const unlock = json(r).findings.find((f: any) => f.rule === 'releases-advisory-lock');
      expect(unlock.message).toMatch(/two runs from applying the same migrations at once/);
    } finally {
      await db.drop();
    }
  });
});
