import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, readdirSync, statSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { mountTmpfs, unmountAll } from '../helpers/tmpfs.js';

/**
 * Disk full during a backup, for real: a tmpfs of a few hundred kB (we run as root). The backup must
 * fail in one sentence that says the disk is full and where, leave no partial file and no sidecar,
 * and never claim `verified`.
 */
let db: Awaited<ReturnType<typeof freshDatabase>>;
const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-diskfull-journal-')) };
const tinyDisk = (bytes: number) => mountTmpfs(bytes) as string;
const probe = mountTmpfs(64 * 1024);
const skip = typeof probe === 'string' ? undefined : probe.skip;

beforeAll(async () => {
  if (skip) return;
  db = await freshDatabase('diskfull');
  // about 2 MB of incompressible text: the custom-format dump (compressed) is still about 1 MB
  await query(
    db.url,
    `CREATE TABLE blob AS SELECT g AS id, md5(random()::text) || md5(random()::text) AS t FROM generate_series(1, 30000) g`,
  );
});
afterAll(async () => {
  unmountAll();
  await db?.drop();
});

const backup = (dir: string) =>
  cli(['backup', '--bundled', '--json', '--backup-dir', dir, '--database-url', db.url], { env });

function expectDiskFullRefusal(r: Awaited<ReturnType<typeof backup>>, dir: string) {
  expect(r.exitCode, r.stderr).toBe(1);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(`The disk holding ${dir}`);
  expect(r.stderr).toMatch(
    /is full: .*the partial backup was removed; free space there, or pass --backup-dir on a larger disk\./,
  );
  expect(r.stdout).not.toMatch(/"verified":\s*true/);
  expect(r.stderr).not.toMatch(/\n\s+at |Unexpected error/);
  // nothing left behind: no partial dump, no sidecar
  expect(readdirSync(dir)).toEqual([]);
}

describe.skipIf(Boolean(skip))('disk full during backup', () => {
  it('stops pg_dump half way: one sentence, partial file removed, nothing claimed', async () => {
    const disk = tinyDisk(256 * 1024);
    const dir = path.join(disk, 'backups');
    expectDiskFullRefusal(await backup(dir), dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('has room for the dump but not its sidecar: both removed, nothing claimed', async () => {
    // the size of the dump, measured on a roomy disk, then a disk of exactly that many pages
    const roomy = mkdtempSync(path.join(os.tmpdir(), 'cm-roomy-'));
    const ok = await backup(roomy);
    expect(ok.exitCode, ok.stderr).toBe(0);
    const doc = json(ok);
    expect(doc.verified).toBe(true);
    rmSync(roomy, { recursive: true, force: true });
    const pages = Math.ceil(doc.bytes / 4096);
    const disk = tinyDisk(pages * 4096);
    const dir = path.join(disk, 'backups');
    mkdirSync(dir, { mode: 0o700 });
    expectDiskFullRefusal(await backup(dir), dir);
  });
});
