import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  mkdtempSync,
  statSync,
  readFileSync,
  readdirSync,
  writeFileSync,
  copyFileSync,
  symlinkSync,
  chmodSync,
  existsSync,
  openSync,
  writeSync,
  closeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminUrl, freshDatabase, query, pgPassword } from '../helpers/db.js';
import { waitUntil } from '../helpers/wait.js';
import { cli, json } from '../helpers/cli.js';
import { parseTarget } from '../../src/postgres/target.js';
import { verifyByRestore } from '../../src/safety/restoreCheck.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

/** Command lines of running pg_dump / pg_restore processes, read from /proc while they run. */
function watchToolArgs(): { stop: () => string[][] } {
  const seen = new Map<number, string[]>();
  let running = true;
  const tick = () => {
    if (!running) return;
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        if (argv[0] && /pg_(dump|restore)$/.test(argv[0])) seen.set(Number(pid), argv);
      } catch {
        // the process ended between readdir and read
      }
    }
    setTimeout(tick, 2);
  };
  tick();
  return { stop: () => ((running = false), [...seen.values()]) };
}

describe('backup: pg_dump, sha256, verified by a real restore', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const journalDir = tmp('cm-journal-');
  const backupDir = path.join(tmp('cm-bk-'), 'new', 'backups');
  let backupFile = '';

  beforeAll(async () => {
    db = await freshDatabase('backup');
    // Enough data that pg_dump runs long enough to be seen in /proc.
    await query(db.url, `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, bio text)`);
    await query(
      db.url,
      `CREATE TABLE "Orders" (id bigserial PRIMARY KEY, "userId" int REFERENCES users(id), total numeric)`,
    );
    await query(db.url, `CREATE SCHEMA shop; CREATE TABLE shop.empty_table (id int)`);
    await query(
      db.url,
      `INSERT INTO users (email, bio) SELECT 'u' || g || '@x.io', md5(g::text) || repeat(md5((g * 7)::text), 6) FROM generate_series(1, 150000) g`,
    );
    await query(
      db.url,
      `INSERT INTO "Orders" ("userId", total) SELECT 1 + g % 1000, g / 100.0 FROM generate_series(1, 3210) g`,
    );
  });
  afterAll(() => db.drop());

  it('dumps 0600 into a new 0700 folder, restores into a scratch database, compares exact row counts, drops it', async () => {
    const watch = watchToolArgs();
    const r = await cli(['backup', '--bundled', '--json', '--backup-dir', backupDir, '--journal-dir', journalDir], {
      env: { DATABASE_URL: db.url },
    });
    const toolArgs = watch.stop();
    expect(r.exitCode, r.stderr).toBe(0);
    const out = json(r);
    backupFile = out.path;
    expect(path.basename(out.path)).toMatch(new RegExp(`^${db.name}_\\d{8}_\\d{6}\\.dump$`));
    expect(out.verified).toBe(true);
    expect(out.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(out.bytes).toBe(statSync(out.path).size);
    expect(out.restoreCheck).toMatchObject({ tables: 3, rowsCompared: 153210, mismatches: [] });
    expect(out.durationMs).toBeGreaterThan(0);
    expect(statSync(out.path).mode & 0o777).toBe(0o600);
    expect(statSync(`${out.path}.json`).mode & 0o777).toBe(0o600);
    expect(statSync(backupDir).mode & 0o777).toBe(0o700);
    // The scratch database is gone.
    expect(
      await query(db.url, `SELECT datname FROM pg_database WHERE datname LIKE $1`, [
        `citadel\\_scratch\\_verify\\_%\\_${db.name}`,
      ]),
    ).toEqual([]);
    // The password went through the environment: the tools ran, and no argument carries it.
    expect(toolArgs.some((a) => /pg_dump$/.test(a[0]!))).toBe(true);
    for (const argv of toolArgs) expect(argv.join(' ')).not.toContain(pgPassword());
    // Nor does the journal, nor the report made from it.
    const journal = readdirSync(journalDir)
      .map((f) => readFileSync(path.join(journalDir, f), 'utf8'))
      .join('');
    expect(journal).toContain('"action":"backup"');
    expect(journal).toContain(out.sha256);
    expect(journal).not.toContain(pgPassword());
    const report = await cli(['report', '--journal-dir', journalDir], { env: { DATABASE_URL: db.url } });
    expect(report.exitCode).toBe(0);
    expect(report.stdout).toContain(out.sha256);
    expect(report.stdout).not.toContain(pgPassword());
  });

  it('shows progress on stderr in human mode', async () => {
    const r = await cli(['backup', '--bundled', '--backup-dir', tmp('cm-bk2-'), '--journal-dir', journalDir], {
      env: { DATABASE_URL: db.url },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pg_dump: .* written \(database .*\)/);
    expect(r.stdout).toMatch(
      /✓ verified: restored into citadel_scratch_verify_[0-9a-f]{8}_\w+ \(dropped\), 3 tables and 153210 rows match/,
    );
  });

  it('a corrupted backup file fails verification, and --restore refuses it before touching the database', async () => {
    expect(backupFile).not.toBe('');
    const dir = tmp('cm-corrupt-');
    const bad = path.join(dir, path.basename(backupFile));
    copyFileSync(backupFile, bad);
    copyFileSync(`${backupFile}.json`, `${bad}.json`);
    // Overwrite 4 kB in the middle of the compressed table data.
    const fd = openSync(bad, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(statSync(bad).size / 2));
    closeSync(fd);

    const counts = JSON.parse(readFileSync(`${backupFile}.json`, 'utf8')).counts;
    const check = await verifyByRestore(parseTarget(db.url), bad, counts);
    expect(check.verified).toBe(false);
    expect(check.error ?? JSON.stringify(check.comparison?.mismatches)).toMatch(/pg_restore failed|users/);

    const before = await query(db.url, `SELECT count(*)::int AS n FROM users`);
    const r = await cli([
      'backup',
      '--bundled',
      '--restore',
      bad,
      '--yes',
      '--database-url',
      db.url,
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/corrupted or was changed since it was made: its sha256 is [0-9a-f]{64}, the record says/);
    expect(await query(db.url, `SELECT count(*)::int AS n FROM users`)).toEqual(before);
  });

  it('--restore needs --yes and --database-url naming the database, then drops, restores and checks the counts', async () => {
    const refused = await cli(['backup', '--bundled', '--restore', backupFile, '--yes', '--journal-dir', journalDir], {
      env: { DATABASE_URL: db.url },
    });
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/pass --yes together with --database-url naming the database/);

    await query(db.url, `DELETE FROM "Orders" WHERE id > 10; CREATE TABLE added_after_backup (id int)`);
    // The test's own session has ended on its side; the server lets go of it a moment later, and the
    // restore rightly refuses while any session is connected.
    await waitUntil(
      "the test's session to leave the database",
      async () =>
        (
          await query<{ n: number }>(adminUrl(), 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [
            db.name,
          ])
        )[0]!.n === 0,
    );
    const r = await cli([
      'backup',
      '--bundled',
      '--restore',
      backupFile,
      '--yes',
      '--json',
      '--database-url',
      db.url,
      '--journal-dir',
      journalDir,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({
      method: 'drop-and-create',
      verified: true,
      comparison: { tables: 3, mismatches: [] },
    });
    expect(await query(db.url, `SELECT count(*)::int AS n FROM "Orders"`)).toEqual([{ n: 3210 }]);
    expect(await query(db.url, `SELECT to_regclass('added_after_backup') AS t`)).toEqual([{ t: null }]);
  });

  it('without pg_dump on PATH: says to install the PostgreSQL client tools', async () => {
    const bin = tmp('cm-nopg-');
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const r = await cli(['backup', '--bundled', '--backup-dir', tmp('cm-bk3-'), '--journal-dir', journalDir], {
      env: { DATABASE_URL: db.url, PATH: bin },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/pg_dump was not found on PATH: install the PostgreSQL client tools/);
  });

  it('a pg_dump older than the server: names both versions and writes nothing', async () => {
    const bin = tmp('cm-oldpg-');
    writeFileSync(path.join(bin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 12.0"\n');
    chmodSync(path.join(bin, 'pg_dump'), 0o755);
    const dir = path.join(tmp('cm-bk4-'), 'b');
    const r = await cli(['backup', '--bundled', '--backup-dir', dir, '--journal-dir', journalDir], {
      env: { DATABASE_URL: db.url, PATH: `${bin}:${process.env.PATH}` },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/pg_dump is version 12 .* but the server is PostgreSQL 15 \(server_version_num 15\d{4}\)/);
    expect(existsSync(dir)).toBe(false);
  });
});
