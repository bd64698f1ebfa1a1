import { describe, it, expect } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json, BIN } from '../helpers/cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('status after kill -9 of a run with a pipeline in flight', () => {
  it('names the backend the server is still executing, the advisory lock it holds, and then what it did', async () => {
    const db = await freshDatabase('kill9');
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-kill9-'));
    const env = { CITADEL_JOURNAL_DIR: journalDir };
    const dir = makeMigrations({ '1_slow': 'CREATE TABLE k (id int);\nSELECT pg_sleep(3);' });
    try {
      const child = execa('node', [BIN, 'run', '--yes', '--database-url', db.url, '--migrations', dir], {
        reject: false,
        stdin: 'ignore',
        env,
      });
      let backend: number | undefined;
      for (let i = 0; i < 100 && !backend; i++) {
        const rows = await query<{ pid: number }>(
          db.url,
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'citadel-migrate run%' AND query ILIKE '%pg_sleep%' AND state = 'active'`,
        );
        backend = rows[0]?.pid;
        if (!backend) await sleep(50);
      }
      expect(backend).toBeDefined();
      child.kill('SIGKILL');
      await child;
      const st = await cli(['status', '--database-url', db.url, '--migrations', dir], { env });
      expect(st.stdout).toMatch(
        new RegExp(
          `1_slow: interrupted at .* UTC: the run that began it \\(pid ${child.pid}\\) is gone, but the server is still executing \`SELECT pg_sleep\\(3\\)\` \\(for \\d+ s\\) on its backend pid ${backend}: the migration commits \\(applied\\) if it finishes, or rolls back \\(pending\\)`,
        ),
      );
      expect(st.stdout).not.toMatch(/nothing of it remains/);
      expect(st.stdout).toMatch(
        new RegExp(
          `Prisma's advisory lock is still held by backend pid \\d+ of the run \\(pid ${child.pid}\\) that died`,
        ),
      );
      // Once the server is done, the database says what happened, and status no longer names a backend.
      for (let i = 0; i < 100; i++) {
        if (!(await query(db.url, `SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [backend])).length) break;
        await sleep(100);
      }
      const after = json(await cli(['status', '--json', '--database-url', db.url, '--migrations', dir], { env }));
      expect(after.advisoryLockHeldBy).toBeUndefined();
      expect(after.migrations[0].note ?? '').not.toMatch(/still executing/);
    } finally {
      rmSync(journalDir, { recursive: true, force: true });
      await db.drop();
    }
  });
});
