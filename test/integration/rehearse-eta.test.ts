// A rehearsal on a copy with data journals what each statement took: the run's ETA for a long
// statement comes from it (issue 25), read back from the journal the rehearsal wrote.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { cli } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';
import { readJournalFile } from '../../src/journal/read.js';
import { rehearsedDurations } from '../../src/journal/rehearsed.js';

const journalOf = (dir: string) => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  expect(files).toHaveLength(1);
  return readJournalFile(path.join(dir, files[0]!), { statements: 'none' });
};

describe("rehearse --with-data and the run's ETA", () => {
  it("journals each statement's duration of a rehearsal with data; one on the schema only is not used", async () => {
    const db = await freshDatabase('reheta');
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-reheta-journal-'));
    try {
      await query(
        db.url,
        'CREATE TABLE items (id int PRIMARY KEY, price int); INSERT INTO items SELECT g, g FROM generate_series(1, 5000) g;',
      );
      const dir = makeMigrations({
        '001_retype': 'ALTER TABLE items ALTER COLUMN price TYPE bigint;\nCREATE INDEX items_price ON items (price);',
      });
      const schemaOnly = await cli([
        'rehearse',
        '--database-url',
        db.url,
        '--migrations',
        dir,
        '--journal-dir',
        journalDir,
      ]);
      expect(schemaOnly.exitCode).toBe(0);
      expect([...rehearsedDurations(journalOf(journalDir))]).toEqual([]);
      const withData = await cli([
        'rehearse',
        '--with-data',
        '--database-url',
        db.url,
        '--migrations',
        dir,
        '--journal-dir',
        journalDir,
      ]);
      expect(withData.exitCode).toBe(0);
      const measured = rehearsedDurations(journalOf(journalDir)).get('001_retype');
      expect(measured?.statementMs).toHaveLength(2);
      expect(measured!.statementMs!.every((ms) => typeof ms === 'number' && ms >= 0)).toBe(true);
    } finally {
      await db.drop();
    }
  }, 120_000);
});
