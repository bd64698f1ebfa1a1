import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { copyBundled, makeMigrations } from '../helpers/folders.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));
type Item = { id: string; status: string; evidence: string; confirmedBy?: string; confirmedAt?: string; kind: string };
const item = (items: Item[], id: string) => items.find((i) => i.id === id)!;

describe('check: the pre-migration checklist with evidence', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let worker: pg.Client;
  const journalDir = tmp('cm-journal-');
  const migrations = copyBundled();
  // No SUDO_USER from the machine running the tests: the confirmer is USER.
  const env = () => ({ DATABASE_URL: db.url, USER: 'dba1', SUDO_USER: undefined });

  beforeAll(async () => {
    db = await freshDatabase('check');
    await query(db.url, 'CREATE TABLE users (id int)');
    const { default: pgLib } = await import('pg');
    worker = new pgLib.Client({ connectionString: db.url, application_name: 'citadelbuy-worker' });
    await worker.connect();
  });
  afterAll(async () => {
    await worker.end();
    await db.drop();
  });

  it('answers every item of the guide; an open worker connection fails maintenance mode and background jobs, naming it', async () => {
    const r = await cli(
      ['check', '--json', '--migrations', migrations, '--backup-dir', tmp('cm-nobk-'), '--journal-dir', journalDir],
      { env: env() },
    );
    expect(r.exitCode).toBe(1);
    const items: Item[] = json(r).items;
    expect(items.map((i) => i.id)).toEqual([
      'env.connection',
      'env.privileges',
      'env.migration-status',
      'env.disk-space',
      'env.database-size',
      'backup.create',
      'backup.verify',
      'backup.offsite',
      'window.schedule',
      'window.notify-users',
      'window.maintenance-mode',
      'window.background-jobs',
      'team.notify-dev',
      'team.dba-on-call',
      'team.incident-team',
      'team.channel',
      'post.services-restart',
      'post.smoke-test',
      'post.critical-paths',
      'post.performance',
      'post.query-logging',
      'post.maintenance-off',
      'post.workers-start',
      'post.monitor-logs',
      'post.documentation',
      'post.post-mortem',
      'post.archive-backups',
      'post.runbook-lessons',
    ]);
    // Before any run, the post-migration tasks wait for it.
    expect(items.filter((i) => i.id.startsWith('post.')).every((i) => i.status === 'manual')).toBe(true);
    expect(item(items, 'env.connection')).toMatchObject({ status: 'pass' });
    expect(item(items, 'env.connection').evidence).toMatch(/PostgreSQL 15\.\d+/);
    expect(item(items, 'env.migration-status').evidence).toMatch(/0 applied, 7 pending/);
    // The sandbox runs on this host and we are superuser: the data directory's disk is known.
    expect(item(items, 'env.disk-space').evidence).toMatch(/% free \(.* of .*\) under \/.*the pending migrations need/);
    expect(item(items, 'env.database-size').evidence).toMatch(
      /database \d.* the 7 pending migration\(s\) of the runbook add/,
    );
    expect(item(items, 'backup.create')).toMatchObject({ status: 'fail' });
    expect(item(items, 'window.maintenance-mode').status).toBe('fail');
    expect(item(items, 'window.maintenance-mode').evidence).toMatch(/citadelbuy-worker ×1/);
    expect(item(items, 'window.background-jobs').status).toBe('fail');
    expect(item(items, 'window.background-jobs').evidence).toBe(
      'worker sessions: 1 [citadelbuy-worker ×1]; expected 0: run `citadel-migrate action workers-stop`',
    );
    expect(item(items, 'team.dba-on-call')).toMatchObject({ status: 'manual', kind: 'manual' });
  });

  it('check --confirm ID records who and when; the next check shows it confirmed', async () => {
    const c = await cli(
      ['check', '--confirm', 'team.dba-on-call', '--migrations', migrations, '--journal-dir', journalDir],
      { env: env() },
    );
    expect(c.exitCode, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/team\.dba-on-call .* confirmed by dba1 at \d{4}-/);
    const r = await cli(
      ['check', '--json', '--migrations', migrations, '--backup-dir', tmp('cm-nobk-'), '--journal-dir', journalDir],
      { env: env() },
    );
    const it = item(json(r).items, 'team.dba-on-call');
    expect(it).toMatchObject({ status: 'pass', confirmedBy: 'dba1' });
    expect(Date.now() - Date.parse(it.confirmedAt!)).toBeLessThan(60_000);
    expect(item(json(r).items, 'team.channel').status).toBe('manual');

    const bad = await cli(
      ['check', '--confirm', 'team.nope', '--migrations', migrations, '--journal-dir', journalDir],
      { env: env() },
    );
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/no checklist item "team.nope": use one of env.connection/);
  });

  it('reports the latest backup: age, size, verified', async () => {
    const backupDir = tmp('cm-bk-');
    await worker.end(); // the application stopped: maintenance mode is now on
    expect(
      (await cli(['backup', '--bundled', '--backup-dir', backupDir, '--journal-dir', journalDir], { env: env() }))
        .exitCode,
    ).toBe(0);
    const r = await cli(
      ['check', '--json', '--migrations', migrations, '--backup-dir', backupDir, '--journal-dir', journalDir],
      { env: env() },
    );
    const items: Item[] = json(r).items;
    expect(item(items, 'backup.create').status).toBe('pass');
    expect(item(items, 'backup.create').evidence).toMatch(
      new RegExp(`${db.name}_\\d{8}_\\d{6}\\.dump, .*, made \\d+ (ms|s) ago`),
    );
    expect(item(items, 'backup.verify')).toMatchObject({ status: 'pass' });
    expect(item(items, 'backup.verify').evidence).toMatch(/1 tables, 0 rows match exactly; sha256 [0-9a-f]{12}/);
    expect(item(items, 'window.maintenance-mode').status).toBe('pass');
    const { default: pgLib } = await import('pg');
    worker = new pgLib.Client({ connectionString: db.url, application_name: 'citadelbuy-worker' });
    await worker.connect();
  });

  it('on a plain Prisma folder without a manifest: the automatic items, and says what is missing', async () => {
    const dir = makeMigrations({ '1_a': 'CREATE TABLE a (id int);' });
    const r = await cli(['check', '--migrations', dir, '--backup-dir', tmp('cm-nobk-'), '--journal-dir', journalDir], {
      env: env(),
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/env\.migration-status\s+0 applied, 1 pending \(1_a\)/);
    expect(r.stdout).toMatch(/No runbook manifest/);
    expect(r.stdout).not.toMatch(/team\./);
  });

  it('a forged dump with a hand-written .json (its sha256, "verified": true) passes neither backup item (issue 24, finding 3)', async () => {
    const forged = await freshDatabase('forged');
    const backupDir = tmp('cm-forged-');
    try {
      const d = new Date();
      const p2 = (n: number) => String(n).padStart(2, '0');
      const name = `${forged.name}_${d.getFullYear()}${p2(d.getMonth() + 1)}${p2(d.getDate())}_${p2(d.getHours())}${p2(d.getMinutes())}${p2(d.getSeconds())}.dump`;
      const bytes = Buffer.from('this is not a dump');
      expect(bytes.length).toBe(18);
      writeFileSync(path.join(backupDir, name), bytes, { mode: 0o600 });
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      writeFileSync(
        path.join(backupDir, `${name}.json`),
        JSON.stringify({
          file: name,
          database: forged.name,
          server: 'x',
          serverVersion: '15',
          createdAt: d.toISOString(),
          createdBy: 'dba1',
          bytes: 18,
          sha256,
          verified: true,
          durationMs: 5,
          comparison: { tables: 1, rowsCompared: 100, mismatches: [] },
          counts: { 'public.t': 100 },
          snapshotConsistent: true,
        }),
      );
      const args = [
        'check',
        '--migrations',
        migrations,
        '--backup-dir',
        backupDir,
        '--journal-dir',
        tmp('cm-forged-j-'),
        '--database-url',
        forged.url,
      ];
      const items: Item[] = json(await cli([...args, '--json'], { env: env() })).items;
      expect(item(items, 'backup.create').status).toBe('fail');
      expect(item(items, 'backup.create').evidence).toContain(
        `${name} in ${backupDir} is not a backup the journal recorded`,
      );
      expect(item(items, 'backup.verify').status).toBe('fail');
      const text = await cli(args, { env: env() });
      expect(text.stdout).not.toMatch(/✓ Create full database backup/);
      expect(text.stdout).not.toMatch(/✓ Verify backup integrity/);
      expect(text.stdout).not.toMatch(/100 rows match/);
    } finally {
      await forged.drop();
    }
  });

  it("backups that cover the database: found through the journal in any folder, failed once a migration is applied since, or past the runbook's maximum age (issue 26)", async () => {
    const cover = await freshDatabase('cover');
    const jdir = tmp('cm-cover-j-');
    const elsewhere = tmp('cm-cover-srv-dumps-');
    const dir = makeMigrations({ '1_a': 'CREATE TABLE a (id int);', '2_b': 'CREATE TABLE b (id int);' });
    const common = ['--migrations', dir, '--journal-dir', jdir, '--database-url', cover.url];
    try {
      const first = await cli(['run', '--yes', '--to', '1_a', ...common], { env: env() });
      expect(first.exitCode, first.stderr).toBe(0);
      const b = await cli(['backup', '--json', '--backup-dir', elsewhere, ...common], { env: env() });
      expect(b.exitCode, b.stderr).toBe(0);
      const dump: string = json(b).path;
      // check looks in another folder: the journal says where the backup is.
      const look = ['check', '--json', '--backup-dir', tmp('cm-cover-empty-'), ...common];
      let items: Item[] = json(await cli(look, { env: env() })).items;
      expect(item(items, 'backup.create')).toMatchObject({ status: 'pass' });
      expect(item(items, 'backup.create').evidence).toMatch(
        new RegExp(`^${dump}, .* made .* ago by dba1, at the current migration state$`),
      );
      expect(item(items, 'backup.verify').status).toBe('pass');

      const second = await cli(['run', '--yes', ...common], { env: env() });
      expect(second.exitCode, second.stderr).toBe(0);
      items = json(await cli(look, { env: env() })).items;
      expect(item(items, 'backup.create').status).toBe('fail');
      expect(item(items, 'backup.create').evidence).toContain(
        'the migrations changed since it was taken: 1 applied then (last 1_a), 2 now (last 2_b); take a fresh one',
      );
      expect(item(items, 'backup.verify').status).toBe('fail');
      const text = await cli(
        look.filter((a) => a !== '--json'),
        { env: env() },
      );
      expect(text.stdout).not.toMatch(/✓ Create full database backup/);

      // A fresh backup covers it again, until the runbook's maximum age has passed.
      expect((await cli(['backup', '--backup-dir', elsewhere, ...common], { env: env() })).exitCode).toBe(0);
      items = json(await cli(look, { env: env() })).items;
      expect(item(items, 'backup.create').status).toBe('pass');
      const runbook = path.join(tmp('cm-cover-rb-'), 'runbook.yaml');
      const bundled = readFileSync(path.join(migrations, 'runbook.yaml'), 'utf8');
      writeFileSync(
        runbook,
        bundled
          .replace(
            'thresholds: { minFreeDiskPercent: 20 }',
            'thresholds: { minFreeDiskPercent: 20, maxBackupAgeHours: 0.0000001 }',
          )
          .replace(/^migrations:[\s\S]*$/m, 'migrations: []\n'),
      );
      items = json(await cli([...look, '--runbook', runbook], { env: env() })).items;
      expect(item(items, 'backup.create').status).toBe('fail');
      expect(item(items, 'backup.create').evidence).toMatch(/: older than 1e-7 h, take a fresh one$/);
    } finally {
      await cover.drop();
    }
  });
});
