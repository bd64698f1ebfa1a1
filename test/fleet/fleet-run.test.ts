import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cli, json } from '../helpers/cli.js';
import { pgPassword, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { startPgBouncer, type Bouncer } from '../helpers/pgbouncer.js';
import {
  adminOn,
  appliedOn,
  dropDatabases,
  makeDatabases,
  startSecondServer,
  targetsFile,
  tmp,
  type Servers,
} from './fleetHelpers.js';

// Each target records when its slow migration ran: the per-server limit is read back from the servers.
const MIGRATIONS = {
  '20240101000000_init': 'CREATE TABLE tenant_item (id int PRIMARY KEY, name text);',
  '20240102000000_timed':
    "CREATE TABLE fleet_probe (phase text, at timestamptz);\nINSERT INTO fleet_probe VALUES ('start', clock_timestamp());\nSELECT pg_sleep(0.3);\nINSERT INTO fleet_probe VALUES ('end', clock_timestamp());",
};
const NAMES = Object.keys(MIGRATIONS);
const env = { PGPASSWORD: pgPassword() };

describe('fleet run over two servers', () => {
  let s: Servers;
  let bouncer: Bouncer;
  const made: Awaited<ReturnType<typeof makeDatabases>> = [];
  const dir = makeMigrations(MIGRATIONS);
  const fleetArgs = (file: string, ...more: string[]) => [
    'fleet',
    'run',
    '--migrations',
    dir,
    '--targets',
    file,
    '--journal-dir',
    tmp('cm-fleet-j-'),
    ...more,
  ];

  beforeAll(async () => {
    s = await startSecondServer();
    bouncer = await startPgBouncer('transaction');
  }, 60_000);
  afterAll(async () => {
    await dropDatabases(s, made);
    await bouncer?.stop();
    await s?.stop();
  });

  it('applies the folder to tens of databases, never more than --per-server at once on one server', async () => {
    const dbs = await makeDatabases(s, 'fl_many', 12);
    made.push(...dbs);
    const file = targetsFile(dbs.map((d) => `${d.name} ${s.url(d.server, d.db)}`));
    const args = fleetArgs(file, '--yes', '--concurrency', '4', '--per-server', '2');
    const r = await cli(args, { env, timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /Fleet f-[0-9a-f]{12}: 24 targets: 0 pending, 0 running, 24 applied, 0 failed, 0 skipped, 0 refused/,
    );
    expect(r.stdout).toMatch(/^applied +a1 +2 migrations applied/m);
    for (const d of dbs) expect(await appliedOn(adminOn(s, d.server, d.db))).toEqual(NAMES);
    // Per server, at no instant were more than two of its databases inside the slow migration.
    for (const server of ['a', 'b'] as const) {
      const spans: { start: number; end: number }[] = [];
      for (const d of dbs.filter((x) => x.server === server)) {
        const rows = await query<{ phase: string; at: Date }>(
          adminOn(s, server, d.db),
          'SELECT phase, at FROM fleet_probe',
        );
        spans.push({
          start: rows.find((x) => x.phase === 'start')!.at.getTime(),
          end: rows.find((x) => x.phase === 'end')!.at.getTime(),
        });
      }
      const most = Math.max(...spans.map((a) => spans.filter((b) => b.start <= a.start && a.start < b.end).length));
      expect(most).toBe(2);
    }
    // A second run finds the same fleet in its ledger: nothing runs again.
    const again = await cli([...args, '--json'], { env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(json(again).counts).toMatchObject({ applied: 24, pending: 0 });
    expect(json(again).targets.every((t: { attempts: number }) => t.attempts === 1)).toBe(true);
  }, 180_000);

  it('a failing canary stops the fleet before any other target', async () => {
    const dbs = await makeDatabases(s, 'fl_canary', 3);
    made.push(...dbs);
    // the canary already has the table the first migration creates
    await query(adminOn(s, dbs[0]!.server, dbs[0]!.db), 'CREATE TABLE tenant_item (id int)');
    const file = targetsFile(dbs.map((d) => `${d.name} ${s.url(d.server, d.db)}`));
    const r = await cli(fleetArgs(file, '--yes', '--canary', '1', '--waves', '50%,100%'), { env });
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stdout).toMatch(/^failed +a1 +20240101000000_init: relation "tenant_item" already exists/m);
    expect(r.stderr).toContain(
      'The fleet stopped: the canary a1 failed, so no other target was started; 5 targets were not started.',
    );
    for (const d of dbs.slice(1)) expect(await appliedOn(adminOn(s, d.server, d.db))).toEqual([]);
  }, 60_000);

  it('stops once the failure budget is exceeded: running targets finish, no new one starts', async () => {
    const dbs = await makeDatabases(s, 'fl_budget', 6, ['a']);
    made.push(...dbs);
    for (const i of [1, 3]) await query(adminOn(s, 'a', dbs[i]!.db), 'CREATE TABLE tenant_item (id int)');
    const file = targetsFile(dbs.map((d) => `${d.name} ${s.url(d.server, d.db)}`));
    const r = await cli(fleetArgs(file, '--yes', '--concurrency', '1', '--max-failures', '1', '--json'), { env });
    expect(r.exitCode, r.stderr).toBe(4);
    const doc = json(r);
    expect(doc.outcome).toBe('stopped');
    expect(doc.stopped).toBe('2 targets failed or were refused (the last: a4), over the budget of --max-failures 1');
    expect(doc.targets.map((t: { state: string }) => t.state)).toEqual([
      'applied',
      'failed',
      'applied',
      'failed',
      'pending',
      'pending',
    ]);
    for (const d of dbs.slice(4)) expect(await appliedOn(adminOn(s, 'a', d.db))).toEqual([]);
  }, 60_000);

  it('refuses a target behind a transaction pooler alone, and the others are applied', async () => {
    const dbs = await makeDatabases(s, 'fl_pool', 2);
    made.push(...dbs);
    const pooled = dbs[0]!;
    const lines = dbs.map((d) => `${d.name} ${d === pooled ? bouncer.url(d.db) : s.url(d.server, d.db)}`);
    const r = await cli(fleetArgs(targetsFile(lines), '--yes', '--max-failures', '1'), { env });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^refused +a1 +Refusing to migrate through the transaction-mode connection pooler/m);
    expect(r.stdout).toContain('4 targets: 0 pending, 0 running, 3 applied, 0 failed, 0 skipped, 1 refused');
    expect(await appliedOn(adminOn(s, 'a', pooled.db))).toEqual([]);
    for (const d of dbs.slice(1)) expect(await appliedOn(adminOn(s, d.server, d.db))).toEqual(NAMES);
  }, 60_000);

  it('refuses without --yes when there is no terminal, and warns (redacted) of a password in the list', async () => {
    const file = targetsFile([`postgresql://postgres:Sup3r-S3cret!@127.0.0.1:5999/nowhere`]);
    const r = await cli(fleetArgs(file));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('there is no terminal to ask on, so pass --yes to confirm');
    const w = await cli(fleetArgs(file, '--yes'));
    expect(w.stderr).toMatch(
      /Warning: .*targets\.txt line 2 \(postgresql:\/\/postgres@127\.0\.0\.1:5999\/nowhere\) carries a password: .*prefer PGPASSWORD, ~\/\.pgpass or PGPASSFILE/,
    );
    expect(w.stderr + w.stdout).not.toContain('Sup3r-S3cret!');
  }, 60_000);
});
