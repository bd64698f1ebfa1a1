import { describe, it, expect, afterAll } from 'vitest';
import { cli } from '../helpers/cli.js';
import { pgPassword, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { teamChannel } from '../helpers/teamChannel.js';
import { adminOn, dropDatabases, makeDatabases, serverA, targetsFile, tmp } from './fleetHelpers.js';

const MIGRATIONS = {
  '20240101000000_init': 'CREATE TABLE tenant_item (id int PRIMARY KEY);',
  '20240102000000_more': 'ALTER TABLE tenant_item ADD COLUMN name text;',
};
const env = { PGPASSWORD: pgPassword() };

describe("a fleet's notifications and report", () => {
  const s = serverA();
  const made: Awaited<ReturnType<typeof makeDatabases>> = [];
  afterAll(() => dropDatabases(s, made));

  it('tells the team once at the start and once at the stop, with the counts, and report --fleet sums up the journals', async () => {
    const dir = makeMigrations(MIGRATIONS);
    const dbs = await makeDatabases(s, 'fl_notify', 3, ['a']);
    made.push(...dbs);
    await query(adminOn(s, 'a', dbs[1]!.db), 'CREATE TABLE tenant_item (id int)');
    const file = targetsFile(dbs.map((d) => `${d.name} ${s.url(d.server, d.db)}`));
    const journal = tmp('cm-fleet-nj-');
    const common = ['--migrations', dir, '--targets', file, '--journal-dir', journal];
    const channel = await teamChannel();
    try {
      const r = await cli(['fleet', 'run', ...common, '--yes', '--concurrency', '1', '--notify', channel.url], { env });
      expect(r.exitCode, r.stderr).toBe(4);
      const fleetEvents = channel.bodies.filter((b) => String(b.event).startsWith('fleet.'));
      expect(fleetEvents.map((b) => b.event)).toEqual(['fleet.started', 'fleet.stopped']);
      expect(fleetEvents[0]).toMatchObject({ outcome: 'started', targets: 3, counts: { pending: 3 } });
      expect(fleetEvents[0].target).toMatch(/^fleet f-[0-9a-f]{12} \(3 targets\)$/);
      expect(fleetEvents[1]).toMatchObject({
        outcome: 'stopped',
        counts: { applied: 1, failed: 1, pending: 1 },
        failures: [{ name: 'a2', state: 'failed' }],
        reason: '1 target failed or was refused (the last: a2), over the budget of --max-failures 0',
      });
      expect(fleetEvents[1].failures[0].error).toContain('relation "tenant_item" already exists');
    } finally {
      await channel.close();
    }

    const rep = await cli(['report', '--fleet', ...common], { env });
    expect(rep.exitCode, rep.stderr).toBe(0);
    expect(rep.stdout).toMatch(/^# Fleet f-[0-9a-f]{12}$/m);
    expect(rep.stdout).toContain('3 targets: 1 pending, 0 running, 1 applied, 1 failed, 0 skipped, 0 refused.');
    expect(rep.stdout).toMatch(
      /^\| a1 \| fl_notify_\w+@127\.0\.0\.1 \| applied \| \d{4}-\d\d-\d\d [\d:]{8} \| ok \| 2 \| {2}\| \d+\.\d s \|$/m,
    );
    expect(rep.stdout).toMatch(
      /^\| a2 \| \S+ \| failed \| [\d-]+ [\d:]+ \| failed \| 0 \| 20240101000000_init \| \d+\.\d s \|$/m,
    );
    expect(rep.stdout).toMatch(/^\| a3 \| \S+ \| pending \| no journal \|/m);
    expect(rep.stdout).toContain(
      '## Failed and refused targets\n\n- **a2** (failed): 20240101000000_init: relation "tenant_item" already exists',
    );
  }, 120_000);
});
