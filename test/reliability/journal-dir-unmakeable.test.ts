import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { freshDatabase, client, query } from '../helpers/db.js';
import { cli } from '../helpers/cli.js';
import { makeMigrations } from '../helpers/folders.js';

/**
 * A journal folder that cannot be made (/proc, /sys, under a file) used to spin mkdir at full CPU,
 * deaf to SIGTERM, while holding Prisma's advisory lock. It is now one sentence, at once, before
 * the lock is even asked for: the test holds the lock itself, so a run that reached for it would
 * say "Another migration run holds Prisma's advisory lock" instead.
 */
let db: Awaited<ReturnType<typeof freshDatabase>>;
let holder: pg.Client;
const migrations = makeMigrations({ '20250101000000_a': 'CREATE TABLE unmade_a (id int);' });

beforeAll(async () => {
  db = await freshDatabase('jdir');
  holder = await client(db.url);
  await holder.query('SELECT pg_advisory_lock(72707369)');
});
afterAll(async () => {
  await holder?.end();
  await db?.drop();
});

describe('a journal folder that cannot be made', () => {
  it.each([
    ['/proc/nope', 'this file system does not allow creating it'],
    ['/proc/nope/deeper', 'this file system does not allow creating it'],
    ['/sys/nope', 'permission denied'],
    ['/etc/hostname/journal', 'part of the path is a file, not a folder'],
  ])("run --journal-dir %s: one sentence within seconds, before Prisma's lock", async (dir, why) => {
    const t0 = Date.now();
    const r = await cli(['run', '--yes', '--migrations', migrations, '--journal-dir', dir, '--database-url', db.url], {
      timeout: 20_000,
    });
    const ms = Date.now() - t0;
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(
      new RegExp(
        `^The journal ${dir}/\\S+\\.jsonl cannot be created or written \\(${why}\\): pass --journal-dir with a folder you can write to \\(or set CITADEL_JOURNAL_DIR\\)\\.$`,
      ),
    );
    expect(ms).toBeLessThan(5000);
    expect(
      await query(db.url, `SELECT 1 FROM pg_tables WHERE tablename IN ('_prisma_migrations', 'unmade_a')`),
    ).toEqual([]);
  });

  it('backup --journal-dir /proc/nope: one sentence, and no dump is made', async () => {
    const backups = mkdtempSync(path.join(os.tmpdir(), 'cm-jdir-bk-'));
    const r = await cli(
      ['backup', '--bundled', '--backup-dir', backups, '--journal-dir', '/proc/nope', '--database-url', db.url],
      { timeout: 20_000 },
    );
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^The journal \/proc\/nope\/\S+\.jsonl cannot be created or written \(this file system does not allow creating it\)/,
    );
    expect(readdirSync(backups)).toEqual([]);
  });

  it('TMPDIR=/proc/nope (the scratch folder a rehearsal copies through): one sentence, no spin', async () => {
    const journal = mkdtempSync(path.join(os.tmpdir(), 'cm-jdir-j-'));
    const r = await cli(
      [
        'rehearse',
        '--scratch',
        'server',
        '--migrations',
        migrations,
        '--journal-dir',
        journal,
        '--database-url',
        db.url,
      ],
      { timeout: 30_000, env: { TMPDIR: '/proc/nope' } },
    );
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/Unexpected error|SQLSTATE|\n\s+at /);
    expect(r.stderr.trim().split('\n').pop()).toBe(
      'The temporary folder /proc/nope cannot be used (it does not exist, or cannot hold folders): set TMPDIR to a folder you can write to.',
    );
  });
});
