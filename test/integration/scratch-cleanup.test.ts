// Issue 24, finding 9: a scratch database (a backup's verification copy, a rehearsal's copy) left by
// a process that died is found by its fixed prefix, listed and removed by the next backup or by
// `backup --clean-scratch`; one whose owner process still runs is left alone. A server of its own:
// cleaning looks at the whole server, where other files' rehearsals and kills make and leave theirs.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { client, query } from '../helpers/db.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/embedded.js';
import { BIN, CLI_ENV, cli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));
let server: Sandbox;
const adminUrl = () => server.url('postgres');
const urlFor = (name: string) => server.url(name);
const exists = async (name: string) =>
  (await query(adminUrl(), 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1;
const hex = () => randomBytes(4).toString('hex');

describe('scratch databases left by a crash', () => {
  const db = { name: 'scr', url: '' };
  const journalDir = tmp('cm-scr-j-');

  beforeAll(async () => {
    server = await startSandbox();
    await server.createDatabase(db.name);
    db.url = server.url(db.name);
    await query(db.url, `CREATE TABLE users (id serial PRIMARY KEY, bio text)`);
    // Enough rows that the verifying restore lasts long enough to kill the process during it.
    await query(db.url, `INSERT INTO users (bio) SELECT repeat(md5(g::text), 8) FROM generate_series(1, 150000) g`);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('kill -9 during verification leaves the copy; `backup --clean-scratch` lists and removes it', async () => {
    const child = execa(
      'node',
      [
        BIN,
        'backup',
        '--bundled',
        '--database-url',
        db.url,
        '--backup-dir',
        tmp('cm-scr-b-'),
        '--journal-dir',
        journalDir,
      ],
      {
        env: { ...CLI_ENV },
        reject: false,
        stdin: 'ignore',
      },
    );
    const pattern = `^citadel_scratch_verify_[0-9a-f]{8}_${db.name}$`;
    const scratch = await waitUntil(
      'the verification copy',
      async () =>
        (
          await query<{ datname: string }>(adminUrl(), 'SELECT datname FROM pg_database WHERE datname ~ $1', [pattern])
        )[0]?.datname,
      60_000,
      10,
    );
    child.kill('SIGKILL');
    await child;
    expect(await exists(scratch)).toBe(true);

    const r = await cli([
      'backup',
      '--bundled',
      '--clean-scratch',
      '--database-url',
      db.url,
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`Removed ${scratch} \\(.*\\), a scratch copy left by a citadel-migrate that did not finish`),
    );
    await waitUntil('the copy dropped', async () => !(await exists(scratch)));
  });

  it('SIGTERM during verification: pg_restore ended, the copy dropped, no backup kept, exit 130', async () => {
    const backupDir = tmp('cm-scr-t-');
    const child = execa(
      'node',
      [BIN, 'backup', '--bundled', '--database-url', db.url, '--backup-dir', backupDir, '--journal-dir', journalDir],
      {
        env: { ...CLI_ENV },
        reject: false,
        stdin: 'ignore',
      },
    );
    const pattern = `^citadel_scratch_verify_[0-9a-f]{8}_${db.name}$`;
    const scratch = await waitUntil(
      'the verification copy',
      async () =>
        (
          await query<{ datname: string }>(adminUrl(), 'SELECT datname FROM pg_database WHERE datname ~ $1', [pattern])
        )[0]?.datname,
      60_000,
      10,
    );
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(130);
    expect(String(r.stderr)).toContain(
      `Backup interrupted: no backup was kept and the scratch copy ${scratch} was dropped.`,
    );
    expect(await exists(scratch)).toBe(false);
    expect(readdirSync(backupDir)).toEqual([]);
  });

  it('the next backup removes a leftover and leaves alone the copy of a process still running', async () => {
    const leftover = `citadel_scratch_verify_${hex()}_${db.name}`;
    const liveId = hex();
    const live = `citadel_scratch_rehearse_${liveId}_${db.name}`;
    await query(adminUrl(), `CREATE DATABASE "${leftover}"`);
    await query(urlFor(leftover), 'CREATE TABLE users (id int); INSERT INTO users SELECT generate_series(1, 10)');
    await query(adminUrl(), `CREATE DATABASE "${live}"`);
    // A running rehearsal holds its owner session, named with the copy's id.
    const owner = await client(
      adminUrl().replace(
        /\/postgres$/,
        `/${db.name}?application_name=${encodeURIComponent(`citadel-migrate scratch ${liveId}`)}`,
      ),
    );
    try {
      const r = await cli([
        'backup',
        '--bundled',
        '--database-url',
        db.url,
        '--backup-dir',
        tmp('cm-scr-b2-'),
        '--journal-dir',
        journalDir,
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(`Removed ${leftover} \\(.*\\), a scratch copy left by a citadel-migrate that did not finish`),
      );
      expect(r.stdout).toContain(`${live} belongs to a citadel-migrate still running: left alone`);
      expect(await exists(leftover)).toBe(false);
      expect(await exists(live)).toBe(true);
      const text = await cli(['report', '--journal-dir', journalDir, '--database-url', db.url]);
      expect(text.exitCode).toBe(0);
    } finally {
      await owner.end();
      await query(adminUrl(), `DROP DATABASE IF EXISTS "${live}" WITH (FORCE)`);
    }
  });

  it('--clean-scratch with nothing left says so', async () => {
    const r = await cli([
      'backup',
      '--bundled',
      '--clean-scratch',
      '--json',
      '--database-url',
      db.url,
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ removed: [], kept: [] });
    const t = await cli([
      'backup',
      '--bundled',
      '--clean-scratch',
      '--database-url',
      db.url,
      '--journal-dir',
      journalDir,
    ]);
    expect(t.stdout).toMatch(/No scratch database left by an earlier run on /);
  });
});
