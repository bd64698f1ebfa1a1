// Issue 26: `backup --verify-on URL` restores the check copy on another server (a scratch server),
// not on the production server; without it the copy is made on the target's own server.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { startSandbox, type Sandbox } from '../../src/sandbox/embedded.js';
import { adminUrl, freshDatabase, query } from '../helpers/db.js';
import { BIN, CLI_ENV, cli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

describe('backup --verify-on', () => {
  let scratchServer: Sandbox;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    scratchServer = await startSandbox();
    db = await freshDatabase('verifyon');
    await query(db.url, `CREATE TABLE users (id serial PRIMARY KEY, bio text)`);
    // Enough rows that the check copy exists long enough to be seen on its server.
    await query(db.url, `INSERT INTO users (bio) SELECT repeat(md5(g::text), 8) FROM generate_series(1, 150000) g`);
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    await scratchServer?.stop();
  });

  it('restores the check copy on the other server, never on the target, and says where', async () => {
    const other = scratchServer.url('postgres');
    const pattern = `^citadel_scratch_verify_[0-9a-f]{8}_${db.name}$`;
    const seen = { target: false, other: false };
    const child = execa(
      'node',
      [
        BIN,
        'backup',
        '--bundled',
        '--database-url',
        db.url,
        '--verify-on',
        other,
        '--backup-dir',
        tmp('cm-von-b-'),
        '--journal-dir',
        tmp('cm-von-j-'),
      ],
      {
        env: { ...CLI_ENV },
        reject: false,
        stdin: 'ignore',
      },
    );
    let done = false;
    void child.finally(() => (done = true));
    await waitUntil(
      'the backup to end',
      async () => {
        const look = async (url: string) =>
          (await query(url, 'SELECT 1 FROM pg_database WHERE datname ~ $1', [pattern])).length > 0;
        if (await look(adminUrl())) seen.target = true;
        if (await look(other)) seen.other = true;
        return done;
      },
      120_000,
      10,
    );
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(seen).toEqual({ target: false, other: true });
    const where = `${new URL(other).hostname}:${new URL(other).port}`;
    expect(String(r.stdout)).toMatch(
      new RegExp(
        `✓ verified: restored into citadel_scratch_verify_[0-9a-f]{8}_${db.name} on ${where} \\(dropped\\), 1 tables and 150000 rows match`,
      ),
    );
    expect(await query(other, 'SELECT datname FROM pg_database WHERE datname ~ $1', [pattern])).toEqual([]);
    expect(String(r.stdout)).not.toContain(scratchServer.password);
  });

  it('an unreachable verification server is one sentence before anything is dumped', async () => {
    const backupDir = tmp('cm-von-x-');
    const r = await cli([
      'backup',
      '--bundled',
      '--database-url',
      db.url,
      '--verify-on',
      'postgresql://nobody@127.0.0.1:1/postgres',
      '--backup-dir',
      backupDir,
      '--journal-dir',
      tmp('cm-von-j-'),
    ]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(readdirSync(backupDir)).toEqual([]);
  });
});
