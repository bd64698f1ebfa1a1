import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, chmodSync, symlinkSync, statSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { describeMode, prepareBackupFolder } from '../../src/safety/backupFolder.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

/** A backup folder that cannot be used is one sentence about the folder, at once; an unsafe one is refused. */
describe('backup folder', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const journalDir = tmp('cm-bkdir-j-');
  const backup = (dir: string, ...extra: string[]) =>
    cli(['backup', '--bundled', '--backup-dir', dir, '--journal-dir', journalDir, '--database-url', db.url, ...extra], {
      timeout: 15_000,
    });

  beforeAll(async () => {
    db = await freshDatabase('bkdir');
    await query(db.url, `CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)`);
  });
  afterAll(() => db.drop());

  it.each([
    ['/proc/nope', 'this file system does not allow creating it'],
    ['/proc/nope/deeper', 'this file system does not allow creating it'],
    ['/sys/nope', 'permission denied'],
  ])('%s: one sentence about the folder, within seconds', async (dir, why) => {
    const t0 = Date.now();
    const r = await backup(dir);
    const ms = Date.now() - t0;
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      `The backup folder ${dir} cannot be created or written (${why}): pass --backup-dir with a folder you can write to.`,
    );
    // the process start and the database connection included; it used to loop on mkdir until killed
    expect(ms).toBeLessThan(5000);
  });

  it('a folder under a file: one sentence', async () => {
    const r = await backup('/etc/hostname/backups');
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      'The backup folder /etc/hostname/backups cannot be created or written (part of the path is a file, not a folder): pass --backup-dir with a folder you can write to.',
    );
  });

  it('a folder every user can write to (1777, like /tmp) is refused with its real mode, unless allowed', async () => {
    const dir = path.join(tmp('cm-bkdir-'), 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o1777);
    const r = await backup(dir);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^The backup folder ${dir} can be written by every user \\(mode 1777, drwxrwxrwt\\)`),
    );
    expect(existsSync(dir) && statSync(dir).mode & 0o7777).toBe(0o1777);

    const allowed = await backup(dir, '--json', '--allow-unsafe-backup-dir');
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    expect(json(allowed).warnings).toEqual([
      `the backup folder ${dir} can be written by every user (mode 1777, drwxrwxrwt)`,
    ]);
  });

  it('a symlinked folder is refused, naming where it points, unless allowed', async () => {
    const real = tmp('cm-bkdir-real-');
    const link = path.join(tmp('cm-bkdir-link-'), 'backups');
    symlinkSync(real, link);
    const r = await backup(link);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(
      `The backup folder ${link} is a symlink to ${real}: pass --backup-dir ${real} itself, or --allow-unsafe-backup-dir if you trust the link.`,
    );
    const allowed = await backup(link, '--json', '--allow-unsafe-backup-dir');
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    expect(json(allowed).warnings).toEqual([`the backup folder ${link} is a symlink to ${real}`]);
  });

  it('backups started in the same moment both create the missing folder: neither fails on the other having made it first', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'cm-race-')), 'a', 'b');
    // In one process the checks all run before any mkdir: every call but one meets EEXIST.
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => prepareBackupFolder(dir)));
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(Array(8).fill('ok'));
    expect(describeMode(statSync(dir)).octal).toBe('700');
  });

  it('modes are shown as chmod and ls show them', () => {
    expect(describeMode({ mode: 0o041777 })).toEqual({ octal: '1777', ls: 'drwxrwxrwt' });
    expect(describeMode({ mode: 0o040700 })).toEqual({ octal: '700', ls: 'drwx------' });
    expect(describeMode({ mode: 0o042750 })).toEqual({ octal: '2750', ls: 'drwxr-s---' });
    expect(describeMode({ mode: 0o041776 })).toEqual({ octal: '1776', ls: 'drwxrwxrwT' });
  });
});
