import { FileLedger } from '../../src/fleet/fileLedger.js';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { BIN, CLI_ENV, cli, json } from '../helpers/cli.js';
import { pgPassword, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { prismaStatus } from '../helpers/prisma.js';
import { waitUntil } from '../helpers/wait.js';
import {
  adminOn,
  dropDatabases,
  makeDatabases,
  startSecondServer,
  targetsFile,
  tmp,
  type Servers,
} from './fleetHelpers.js';

// The second migration is slow, so a runner can be killed while it applies it.
const MIGRATIONS = {
  '20240101000000_init': 'CREATE TABLE tenant_item (id int PRIMARY KEY);',
  '20240102000000_slow': 'CREATE TABLE tenant_slow (id int);\nSELECT pg_sleep(1.5);',
};
const env = { PGPASSWORD: pgPassword() };

describe('the fleet ledger in PostgreSQL, shared by runners', () => {
  let s: Servers;
  const made: Awaited<ReturnType<typeof makeDatabases>> = [];
  const dir = makeMigrations(MIGRATIONS);

  beforeAll(async () => {
    s = await startSecondServer();
  }, 60_000);
  afterAll(async () => {
    await dropDatabases(s, made);
    await s?.stop();
  });

  it('a runner killed -9 mid-wave: the other takes its targets over after the lease, each migration applied once', async () => {
    const dbs = await makeDatabases(s, 'fl_kill', 5);
    const [ledgerDb] = await makeDatabases(s, 'fl_ledger', 1, ['a']);
    made.push(...dbs, ledgerDb!);
    const ledger = s.url('a', ledgerDb!.db);
    const file = targetsFile(dbs.map((d) => `${d.name} ${s.url(d.server, d.db)}`));
    const args = (journal: string) => [
      BIN,
      'fleet',
      'run',
      '--migrations',
      dir,
      '--targets',
      file,
      '--ledger',
      ledger,
      '--lease',
      '2s',
      '--concurrency',
      '2',
      '--per-server',
      '2',
      '--journal-dir',
      journal,
      '--yes',
    ];
    const spawn = () =>
      execa('node', args(tmp('cm-fleet-kj-')), { reject: false, env: { ...CLI_ENV, ...env }, stdin: 'ignore' });
    const first = spawn();
    const second = spawn();
    // the first runner is inside a target's slow migration: its session sleeps in pg_sleep
    const sleeping = async () => {
      for (const server of ['a', 'b'] as const) {
        const rows = await query(
          adminOn(s, server, 'postgres'),
          "SELECT 1 FROM pg_stat_activity WHERE application_name LIKE $1 AND query ILIKE '%pg_sleep%' AND state = 'active'",
          [`citadel-migrate run (%pid ${first.pid})%`],
        );
        if (rows.length) return true;
      }
      return false;
    };
    await waitUntil('the first runner to apply a slow migration', sleeping, 60_000);
    first.kill('SIGKILL');
    const killed = await first;
    expect(killed.signal).toBe('SIGKILL');
    const done = await second;
    expect(done.exitCode, String(done.stderr)).toBe(0);
    expect(String(done.stderr)).toMatch(/Taking over [ab]\d: its runner stopped renewing its lease\./);
    expect(String(done.stdout)).toContain(
      '10 targets: 0 pending, 0 running, 10 applied, 0 failed, 0 skipped, 0 refused',
    );

    // every migration once on every target, and Prisma reads the same history
    for (const d of dbs) {
      const url = adminOn(s, d.server, d.db);
      const rows = await query<{ migration_name: string; n: number; finished: number }>(
        url,
        'SELECT migration_name, count(*)::int AS n, count(finished_at)::int AS finished FROM _prisma_migrations GROUP BY 1 ORDER BY 1',
      );
      expect(rows, d.name).toEqual(Object.keys(MIGRATIONS).map((m) => ({ migration_name: m, n: 1, finished: 1 })));
    }
    const ledgerRows = await query<{ name: string; state: string; attempts: number }>(
      adminOn(s, 'a', ledgerDb!.db),
      'SELECT name, state, attempts FROM citadel_fleet_target ORDER BY position',
    );
    expect(ledgerRows.every((r) => r.state === 'applied')).toBe(true);
    const takenOver = ledgerRows.filter((r) => r.attempts === 2);
    expect(takenOver.length).toBeGreaterThan(0);
    for (const r of takenOver) {
      const d = dbs.find((x) => x.name === r.name)!;
      const p = await prismaStatus(adminOn(s, d.server, d.db), dir);
      expect(p.upToDate, p.output).toBe(true);
    }

    // A third run on the same ledger: nothing to do, nothing run twice.
    const again = await cli([...args(tmp('cm-fleet-kj-')).slice(1), '--json'], { env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(json(again).counts.applied).toBe(10);
  }, 180_000);

  it('a second `fleet run` after a crash resumes from the file ledger: applied targets are skipped', async () => {
    const dbs = await makeDatabases(s, 'fl_resume', 3);
    made.push(...dbs);
    const file = targetsFile(dbs.map((d) => `${d.name} ${s.url(d.server, d.db)}`));
    const journal = tmp('cm-fleet-rj-');
    const argv = [BIN, 'fleet', 'run', '--migrations', dir, '--targets', file, '--journal-dir', journal, '--yes'];
    const first = execa('node', [...argv, '--concurrency', '1'], {
      reject: false,
      env: { ...CLI_ENV, ...env },
      stdin: 'ignore',
    });
    // killed once its ledger records one target applied (the target's own history says so too)
    let appliedFirst = '';
    await waitUntil(
      "one target recorded applied in the first runner's ledger",
      async () => {
        for (const f of existsSync(journal) ? readdirSync(journal) : []) {
          if (!/^fleet-.*\.json$/.test(f)) continue;
          try {
            // the ledger file and its log of changes, read as `fleet status` reads them
            const fleet = f.replace(/^fleet-|\.json$/g, '');
            const { rows } = await new FileLedger(path.join(journal, f), fleet, 'test', true).read();
            const done = rows?.find((r) => r.state === 'applied');
            if (done) {
              appliedFirst = done.name;
              return true;
            }
          } catch {
            // read while it was being replaced: the next look sees it whole
          }
        }
        return false;
      },
      60_000,
    );
    first.kill('SIGKILL');
    await first;
    const r = await cli([...argv.slice(1), '--json'], { env, timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = json(r);
    expect(doc.counts.applied).toBe(6);
    const row = doc.targets.find((t: { name: string }) => t.name === appliedFirst);
    expect(row.attempts).toBe(1);
    for (const d of dbs) {
      const rows = await query<{ n: number }>(
        adminOn(s, d.server, d.db),
        'SELECT count(*)::int AS n FROM _prisma_migrations',
      );
      expect(rows[0]!.n, d.name).toBe(2);
    }
  }, 180_000);
});
