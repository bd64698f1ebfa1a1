import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
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
    const r = await cli(['check', '--json', '--migrations', migrations, '--backup-dir', tmp('cm-nobk-'), '--journal-dir', journalDir], { env: env() });
    expect(r.exitCode).toBe(1);
    const items: Item[] = json(r).items;
    expect(items.map((i) => i.id)).toEqual([
      'env.connection', 'env.privileges', 'env.migration-status', 'env.disk-space', 'env.database-size',
      'backup.create', 'backup.verify', 'backup.offsite',
      'window.schedule', 'window.notify-users', 'window.maintenance-mode', 'window.background-jobs',
      'team.notify-dev', 'team.dba-on-call', 'team.incident-team', 'team.channel',
      'post.services-restart', 'post.smoke-test', 'post.critical-paths', 'post.performance', 'post.query-logging', 'post.maintenance-off',
      'post.workers-start', 'post.monitor-logs', 'post.documentation', 'post.post-mortem', 'post.archive-backups', 'post.runbook-lessons',
    ]);
    // Before any run, the post-migration tasks wait for it.
    expect(items.filter((i) => i.id.startsWith('post.')).every((i) => i.status === 'manual')).toBe(true);
    expect(item(items, 'env.connection')).toMatchObject({ status: 'pass' });
    expect(item(items, 'env.connection').evidence).toMatch(/PostgreSQL 15\.\d+/);
    expect(item(items, 'env.migration-status').evidence).toMatch(/0 applied, 7 pending/);
    // The sandbox runs on this host and we are superuser: the data directory's disk is known.
    expect(item(items, 'env.disk-space').evidence).toMatch(/% free \(.* of .*\) under \/.*the pending migrations need/);
    expect(item(items, 'env.database-size').evidence).toMatch(/database \d.* the 7 pending migration\(s\) of the runbook add/);
    expect(item(items, 'backup.create')).toMatchObject({ status: 'fail' });
    expect(item(items, 'window.maintenance-mode').status).toBe('fail');
    expect(item(items, 'window.maintenance-mode').evidence).toMatch(/citadelbuy-worker ×1/);
    expect(item(items, 'window.background-jobs').status).toBe('fail');
    expect(item(items, 'window.background-jobs').evidence).toBe('worker sessions: 1 [citadelbuy-worker ×1]; expected 0: run `citadel-migrate action workers-stop`');
    expect(item(items, 'team.dba-on-call')).toMatchObject({ status: 'manual', kind: 'manual' });
  });

  it('check --confirm ID records who and when; the next check shows it confirmed', async () => {
    const c = await cli(['check', '--confirm', 'team.dba-on-call', '--migrations', migrations, '--journal-dir', journalDir], { env: env() });
    expect(c.exitCode, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/team\.dba-on-call .* confirmed by dba1 at \d{4}-/);
    const r = await cli(['check', '--json', '--migrations', migrations, '--backup-dir', tmp('cm-nobk-'), '--journal-dir', journalDir], { env: env() });
    const it = item(json(r).items, 'team.dba-on-call');
    expect(it).toMatchObject({ status: 'pass', confirmedBy: 'dba1' });
    expect(Date.now() - Date.parse(it.confirmedAt!)).toBeLessThan(60_000);
    expect(item(json(r).items, 'team.channel').status).toBe('manual');

    const bad = await cli(['check', '--confirm', 'team.nope', '--migrations', migrations, '--journal-dir', journalDir], { env: env() });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/no checklist item "team.nope": use one of env.connection/);
  });

  it('reports the latest backup: age, size, verified', async () => {
    const backupDir = tmp('cm-bk-');
    await worker.end(); // the application stopped: maintenance mode is now on
    expect((await cli(['backup', '--bundled', '--backup-dir', backupDir, '--journal-dir', journalDir], { env: env() })).exitCode).toBe(0);
    const r = await cli(['check', '--json', '--migrations', migrations, '--backup-dir', backupDir, '--journal-dir', journalDir], { env: env() });
    const items: Item[] = json(r).items;
    expect(item(items, 'backup.create').status).toBe('pass');
    expect(item(items, 'backup.create').evidence).toMatch(new RegExp(`${db.name}_\\d{8}_\\d{6}\\.dump, .*, made \\d+ (ms|s) ago`));
    expect(item(items, 'backup.verify')).toMatchObject({ status: 'pass' });
    expect(item(items, 'backup.verify').evidence).toMatch(/1 tables, 0 rows match exactly; sha256 [0-9a-f]{12}/);
    expect(item(items, 'window.maintenance-mode').status).toBe('pass');
    const { default: pgLib } = await import('pg');
    worker = new pgLib.Client({ connectionString: db.url, application_name: 'citadelbuy-worker' });
    await worker.connect();
  });

  it('on a plain Prisma folder without a manifest: the automatic items, and says what is missing', async () => {
    const dir = makeMigrations({ '1_a': 'CREATE TABLE a (id int);' });
    const r = await cli(['check', '--migrations', dir, '--backup-dir', tmp('cm-nobk-'), '--journal-dir', journalDir], { env: env() });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/env\.migration-status\s+0 applied, 1 pending \(1_a\)/);
    expect(r.stdout).toMatch(/No runbook manifest/);
    expect(r.stdout).not.toMatch(/team\./);
  });
});
