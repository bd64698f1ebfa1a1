import { FileLedger } from '../../src/fleet/fileLedger.js';
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { BIN, CLI_ENV, cli, json } from '../helpers/cli.js';
import { client, pgPassword, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { waitUntil } from '../helpers/wait.js';
import { adminOn, dropDatabases, makeDatabases, serverA, targetsFile, tmp } from './fleetHelpers.js';

const MIGRATIONS = {
  '20240101000000_init': 'CREATE TABLE tenant_item (id int PRIMARY KEY);',
  // waits while the test holds this advisory lock in the target's database
  '20240102000000_slow': 'CREATE TABLE tenant_slow (id int);\nSELECT pg_advisory_xact_lock(4242);',
};
const env = { PGPASSWORD: pgPassword() };

describe('fleet status', () => {
  const s = serverA();
  const made: Awaited<ReturnType<typeof makeDatabases>> = [];
  afterAll(() => dropDatabases(s, made));

  it('shows each target running, applied or failed, the counts and the version skew, in text and JSON', async () => {
    const dir = makeMigrations(MIGRATIONS);
    const dbs = await makeDatabases(s, 'fl_status', 4, ['a']);
    made.push(...dbs);
    await query(adminOn(s, 'a', dbs[1]!.db), 'CREATE TABLE tenant_item (id int)');
    const file = targetsFile(dbs.map((d) => `${d.name} ${s.url(d.server, d.db)}`));
    const journal = tmp('cm-fleet-sj-');
    const common = ['--migrations', dir, '--targets', file, '--journal-dir', journal];
    const holder = await client(adminOn(s, 'a', dbs[0]!.db));
    await holder.query('SELECT pg_advisory_lock(4242)');
    const runner = execa(
      'node',
      [BIN, 'fleet', 'run', ...common, '--yes', '--concurrency', '1', '--max-failures', '3'],
      { reject: false, env: { ...CLI_ENV, ...env }, stdin: 'ignore' },
    );
    // the ledger says the first target is in its slow migration
    await waitUntil(
      'the ledger to show a1 in its slow migration',
      async () => {
        const f = existsSync(journal) && readdirSync(journal).find((n) => /^fleet-f-[0-9a-f]{12}\.json$/.test(n));
        if (!f) return false;
        // the ledger file and its log of changes, read as `fleet status` reads them
        const fleet = f.replace(/^fleet-|\.json$/g, '');
        const { rows } = await new FileLedger(path.join(journal, f), fleet, 'test', true).read();
        return rows.find((r) => r.name === 'a1')?.migration === '20240102000000_slow';
      },
      30_000,
    );
    const during = await cli(['fleet', 'status', ...common], { env });
    expect(during.exitCode, during.stderr).toBe(0);
    expect(during.stdout).toMatch(/^a1 +running +20240102000000_slow/m);
    expect(during.stdout).toMatch(/^a4 +pending/m);
    expect(during.stdout).toContain('4 targets: 3 pending, 1 running, 0 applied');
    await holder.end();

    const ran = await runner;
    expect(ran.exitCode, String(ran.stderr)).toBe(1);
    const after = await cli(['fleet', 'status', ...common], { env });
    expect(after.stdout).toMatch(/^a1 +applied +20240102000000_slow +\d+\.\d s/m);
    expect(after.stdout).toMatch(
      /^a2 +failed +20240101000000_init +\d+\.\d s +20240101000000_init: relation "tenant_item" already exists/m,
    );
    expect(after.stdout).toContain('4 targets: 0 pending, 0 running, 3 applied, 1 failed, 0 skipped, 0 refused.');
    expect(after.stdout).toContain(
      'Version skew (last applied migration: targets):\n  20240102000000_slow: 3\n  (none of the folder): 1',
    );
    const doc = json(await cli(['fleet', 'status', '--json', ...common], { env }));
    expect(doc.counts).toEqual({ pending: 0, running: 0, applied: 3, failed: 1, skipped: 0, refused: 0 });
    expect(doc.skew).toEqual([
      { migration: '20240102000000_slow', targets: 3 },
      { migration: null, targets: 1 },
    ]);
    const failed = doc.targets.find((t: { name: string }) => t.name === 'a2');
    expect(failed).toMatchObject({ state: 'failed', migration: '20240101000000_init', lastApplied: null });
    expect(failed.durationMs).toBeGreaterThan(0);
  }, 120_000);

  it('says how to start a fleet when its ledger does not exist', async () => {
    const dir = makeMigrations(MIGRATIONS);
    const file = targetsFile([s.url('a', 'nowhere_db')]);
    const r = await cli([
      'fleet',
      'status',
      '--migrations',
      dir,
      '--targets',
      file,
      '--journal-dir',
      tmp('cm-fleet-none-'),
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^There is no fleet ledger .*: start the fleet with `citadel-migrate fleet run`/);
  });
});
