import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';

describe('backups taken in the same second', () => {
  it('both are kept under distinct names, and neither cleans up the other', async () => {
    const db = await freshDatabase('twins');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-twins-'));
    const env = { CITADEL_JOURNAL_DIR: path.join(dir, 'journal') };
    try {
      await query(db.url, 'CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 100)');
      const [a, b] = await Promise.all(
        [0, 1].map(() =>
          cli(['backup', '--bundled', '--json', '--database-url', db.url, '--backup-dir', path.join(dir, 'b')], {
            env,
          }),
        ),
      );
      expect(a!.exitCode, a!.stderr).toBe(0);
      expect(b!.exitCode, b!.stderr).toBe(0);
      const paths = [json(a!).path, json(b!).path];
      expect(new Set(paths).size).toBe(2);
      for (const p of paths) expect(existsSync(p)).toBe(true);
    } finally {
      await db.drop();
    }
  });
});
