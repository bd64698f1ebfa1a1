// A restore drops and recreates the database, so it refuses while anyone is connected to it. An
// autovacuum worker vacuuming it is not anyone: DROP DATABASE stops such a worker itself (a clean-clone
// CI run once had a restore refused over one). A server of its own, whose autovacuum wakes every
// second, and a table it vacuums slowly, so that a worker stays on the database to be seen.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/embedded.js';
import { client, query } from '../helpers/db.js';
import { waitUntil } from '../helpers/wait.js';
import { cli, json } from '../helpers/cli.js';

let server: Sandbox;
beforeAll(async () => {
  server = await startSandbox({ settings: { autovacuum_naptime: '1s' } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe('backup --restore while autovacuum works on the database', () => {
  it('restores past an autovacuum worker; a client session still stops it', async () => {
    await server.createDatabase('av');
    const url = server.url('av');
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'cm-av-journal-'));
    const backupDir = mkdtempSync(path.join(os.tmpdir(), 'cm-av-backups-'));
    await query(
      url,
      `CREATE TABLE items (id int PRIMARY KEY, note text);
       INSERT INTO items SELECT g, repeat('x', 100) FROM generate_series(1, 50000) g`,
    );
    const backup = await cli(
      ['backup', '--bundled', '--json', '--backup-dir', backupDir, '--journal-dir', journalDir],
      {
        env: { DATABASE_URL: url },
      },
    );
    expect(backup.exitCode, backup.stderr).toBe(0);
    const file: string = json(backup).path;

    // Dead rows, and a vacuum of them throttled to a crawl: a worker stays on the database.
    await query(
      url,
      `ALTER TABLE items SET (autovacuum_vacuum_threshold = 0, autovacuum_vacuum_scale_factor = 0,
                              autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1);
       DELETE FROM items WHERE id % 2 = 0`,
    );
    const sessions = async (kind: string) =>
      (
        await query<{ n: number }>(
          server.url('postgres'),
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'av' AND backend_type = $1`,
          [kind],
        )
      )[0]!.n;
    await waitUntil(
      'an autovacuum worker on the database',
      async () => (await sessions('autovacuum worker')) > 0,
      30_000,
    );

    const restore = [
      'backup',
      '--bundled',
      '--restore',
      file,
      '--yes',
      '--database-url',
      url,
      '--journal-dir',
      journalDir,
    ];
    // A client session is somebody: refused, and it names the session.
    const app = await client(url);
    const pid = (await app.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const refused = await cli(restore);
    expect(refused.exitCode, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`1 session(s) are still connected to av ((no application name); pids ${pid})`);
    await app.end();
    await waitUntil('the client session to leave', async () => (await sessions('client backend')) === 0);

    // The worker is still vacuuming, and the restore goes on: DROP DATABASE stops it.
    expect(await sessions('autovacuum worker')).toBeGreaterThan(0);
    const r = await cli([...restore, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ method: 'drop-and-create', verified: true });
    expect(await query(url, 'SELECT count(*)::int AS n FROM items')).toEqual([{ n: 50000 }]);
  }, 120_000);
});
