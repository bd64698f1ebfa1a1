import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { freshDatabase, query } from '../helpers/db.js';
import { BIN, CLI_ENV } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';
import { journalFolder, journalLines } from '../helpers/journal.js';
import { stallProxy, type StallProxy } from '../helpers/stallProxy.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * A run behind a path that stops delivering the server's replies (the server still gets ours and
 * commits): it used to stay after "▶ ..." for good, SIGTERM included. A stop now ends it within
 * 5 s, with what the server committed, read back on a new session.
 */
let db: Awaited<ReturnType<typeof freshDatabase>>;
let proxy: StallProxy;
beforeAll(async () => {
  db = await freshDatabase('stall');
  const u = new URL(db.url);
  proxy = await stallProxy(u.hostname, Number(u.port));
});
afterAll(async () => {
  await proxy?.close();
  await db?.drop();
});

describe('a stalled connection', () => {
  it('SIGTERM ends the run within 5 s, saying what the server committed (all three)', async () => {
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const j = journalFolder('cm-stall-');
    const migrations = makeMigrations({
      '1_a': 'CREATE TABLE stall_a (id int);\nSELECT pg_sleep(1);',
      '2_b': 'CREATE TABLE stall_b (id int);',
      '3_c': 'CREATE TABLE stall_c (id int);',
    });
    const child = execa(
      'node',
      [BIN, 'run', '--yes', '--migrations', migrations, '--database-url', viaProxy.toString()],
      { env: { ...CLI_ENV, ...j.env }, reject: false, stdin: 'ignore', timeout: 60_000 },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitUntil('the first migration to start', async () => stderr.includes('▶ 1_a'));
    proxy.stallOpen();
    // the server goes on without us: all three are committed, and the run cannot hear it
    await waitUntil(
      'the server to commit all three',
      async () => {
        const rows = await query(
          db.url,
          `SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`,
        );
        return rows[0]!.n === 3;
      },
      20_000,
    );
    expect(stderr).not.toMatch(/applied/);

    const t0 = Date.now();
    child.kill('SIGTERM');
    const r = await child;
    const ms = Date.now() - t0;
    expect(r.exitCode, stderr).toBe(130);
    expect(ms).toBeLessThan(5000);
    expect(stderr.trim().split('\n').pop()).toBe(
      'Stopped without an answer from the server within 4 s; read back from a new session: applied 1_a, 2_b, 3_c.',
    );
    const abandoned = journalLines(j.dir)
      .filter((l) => l.action === 'run.abandoned')
      .map((l) => l.details);
    expect(abandoned).toEqual([{ pending: ['1_a', '2_b', '3_c'], applied: ['1_a', '2_b', '3_c'], notApplied: [] }]);
  });
});
