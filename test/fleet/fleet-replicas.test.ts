import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { BIN, CLI_ENV, cli, json } from '../helpers/cli.js';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { startReplicated, type Replicated } from '../helpers/standby.js';
import { waitUntil } from '../helpers/wait.js';
import { appliedOn, targetsFile, tmp } from './fleetHelpers.js';

// A fleet on a primary with a real streaming standby: a wave starts only once the standby has
// replayed what the wave before it wrote (--max-lag), and a target that is itself a standby is
// refused alone.
describe('fleet run with a standby', () => {
  let r: Replicated;
  beforeAll(async () => {
    r = await startReplicated();
  }, 90_000);
  afterAll(() => r?.stop());

  async function databases(prefix: string, n: number): Promise<string[]> {
    const names = Array.from({ length: n }, (_, i) => `${prefix}_${i + 1}`);
    for (const name of names) await r.primary.createDatabase(name);
    await r.waitCaughtUp();
    return names;
  }

  it('holds the next wave while the standby is behind, says why (text, --json, status), and goes on', async () => {
    // The canary writes, then sleeps: replay is paused while it sleeps, so its WAL ages unreplayed.
    const dir = makeMigrations({
      '20240101000000_fill':
        'SELECT pg_sleep(2);\nCREATE TABLE filler AS SELECT g AS id FROM generate_series(1, 20000) g;\nSELECT pg_sleep(2.5);',
    });
    const dbs = await databases('fl_gate', 3);
    const journalDir = tmp('cm-fleet-gate-');
    const file = targetsFile(dbs.map((d, i) => `t${i + 1} ${r.primary.url(d)}`));
    // The shared ledger here (the file ledger in the next test): the wait is a column of the fleet's row.
    const ledger = await freshDatabase('fl_gate_ledger');
    const common = ['--migrations', dir, '--targets', file, '--journal-dir', journalDir, '--ledger', ledger.url];
    const child = execa(
      'node',
      [BIN, 'fleet', 'run', ...common, '--yes', '--canary', '1', '--max-lag', '1s', '--json'],
      { reject: false, env: { ...CLI_ENV }, extendEnv: true },
    );
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const server = `127.0.0.1:${r.primary.port}`;
    const why = new RegExp(
      `standby replica-1 of server ${server.replace(/\./g, '\\.')} is \\d+ s behind \\(max 1 s\\)`,
    );
    try {
      // Paused only once the canary's own hold check has passed (it is sleeping in its migration).
      await waitUntil(
        "the canary's migration",
        async () =>
          (
            await query<{ n: number }>(
              r.primary.url('postgres'),
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${dbs[0]}' AND query LIKE '%pg_sleep(2)%'`,
            )
          )[0]!.n > 0,
        30_000,
      );
      await r.pauseReplay();
      await waitUntil('the wave to wait', async () => /"event":"wave-wait"/.test(stderr), 30_000, 50);
      const line = JSON.parse(stderr.split('\n').find((l) => l.includes('"wave-wait"'))!);
      expect(line).toMatchObject({ event: 'wave-wait', wave: 1, servers: [server] });
      expect(line.reason).toMatch(why);
      // The ledger says it too: fleet status, text and JSON.
      const status = await cli(['fleet', 'status', ...common]);
      expect(status.exitCode, status.stderr).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`Waiting: wave 1 waits: ${why.source}`));
      const doc = json(await cli(['fleet', 'status', ...common, '--json']));
      expect(doc.waiting).toMatchObject({ wave: 1 });
      expect(doc.waiting.reason).toMatch(why);
      expect(doc.counts).toMatchObject({ applied: 1, pending: 2 });
      for (const d of dbs.slice(1)) expect(await appliedOn(r.primary.url(d))).toEqual([]);
      await r.resumeReplay();
      const res = await child;
      expect(res.exitCode, stderr).toBe(0);
      const end = JSON.parse(String(res.stdout));
      expect(end.counts).toMatchObject({ applied: 3 });
      expect(end.gates).toEqual([expect.objectContaining({ wave: 1, waitedMs: expect.any(Number) })]);
      expect(end.gates[0].reason).toMatch(why);
      expect(stderr).toMatch(/"event":"wave-go","wave":1/);
      for (const d of dbs) expect(await appliedOn(r.primary.url(d))).toEqual(['20240101000000_fill']);
      const after = json(await cli(['fleet', 'status', ...common, '--json']));
      expect(after.waiting).toBeNull();
    } finally {
      await r.resumeReplay();
      child.kill('SIGKILL');
      await ledger.drop();
    }
  }, 120_000);

  it('says the wait in words without --json', async () => {
    const dir = makeMigrations({ '20240101000000_fill': 'CREATE TABLE filler AS SELECT 1 AS id;' });
    const dbs = await databases('fl_gate_text', 2);
    const file = targetsFile(dbs.map((d, i) => `t${i + 1} ${r.primary.url(d)}`));
    await r.pauseReplay();
    // Behind before the fleet starts: the first wave's run holds too (it is a whole run) and fails at
    // --max-hold (within the budget); the gate before the second wave gives up at --max-hold too.
    await query(r.primary.url(dbs[0]!), 'CREATE TABLE before AS SELECT g FROM generate_series(1, 20000) g');
    await waitUntil(
      'the standby to be over 1 s behind',
      async () =>
        (
          await query<{ s: number }>(
            r.primary.url('postgres'),
            `SELECT extract(epoch FROM replay_lag)::float8 AS s FROM pg_stat_replication WHERE application_name = 'replica-1'`,
          )
        )[0]?.s > 1.2,
      20_000,
      100,
    );
    try {
      const res = await cli([
        'fleet',
        'run',
        '--migrations',
        dir,
        '--targets',
        file,
        '--journal-dir',
        tmp('cm-fleet-gate-'),
        '--yes',
        '--max-lag',
        '1s',
        '--max-hold',
        '2s',
        '--max-failures',
        '5',
        '--waves',
        '50%,100%',
      ]);
      expect(res.exitCode, res.stderr).toBe(4);
      // the first target's run held and gave up; the second waits at the gate, which gives up too
      expect(res.stdout).toMatch(
        /^failed +t1 +held \d+ s \(--max-hold\) before 20240101000000_fill because standby replica-1 is \d+ s behind \(max 1 s\): nothing more was started/m,
      );
      expect(res.stderr).toMatch(
        /wave 2 waits: standby replica-1 of server 127\.0\.0\.1:\d+ is \d+ s behind \(max 1 s\)/,
      );
      expect(res.stderr).toMatch(
        /The fleet stopped: wave 2 waited \d+ s, the --max-hold limit, because standby replica-1 of server 127\.0\.0\.1:\d+ is \d+ s behind \(max 1 s\); 1 target was not started/,
      );
      expect(await appliedOn(r.primary.url(dbs[1]!))).toEqual([]);
    } finally {
      await r.resumeReplay();
    }
  }, 120_000);
  it('refuses a target that is a standby alone; the others are applied, unless the budget says stop', async () => {
    const dir = makeMigrations({ '20240101000000_init': 'CREATE TABLE tenant_item (id int PRIMARY KEY);' });
    const dbs = await databases('fl_standby', 3);
    // s1 is the standby's copy of the first database: it accepts the session, it would refuse the write
    const lines = [`s1 ${r.standbyUrl(dbs[0]!)}`, ...dbs.slice(1).map((d, i) => `p${i + 1} ${r.primary.url(d)}`)];
    const args = ['fleet', 'run', '--migrations', dir, '--targets', targetsFile(lines), '--yes', '--concurrency', '1'];
    const within = await cli([...args, '--journal-dir', tmp('cm-fleet-sb-'), '--max-failures', '1']);
    expect(within.exitCode, within.stderr).toBe(1);
    expect(within.stdout).toMatch(
      /^refused +s1 +fl_standby_1@127\.0\.0\.1 is a standby \(read-only, in recovery\): list the primary's URL for this target\./m,
    );
    expect(within.stdout).toMatch(/^applied +p1 +1 migration applied/m);
    expect(within.stdout).toMatch(/^applied +p2 +1 migration applied/m);
    expect(within.stdout).toContain('3 targets: 0 pending, 0 running, 2 applied, 0 failed, 0 skipped, 1 refused');
    expect(await appliedOn(r.primary.url(dbs[0]!))).toEqual([]);
    for (const d of dbs.slice(1)) expect(await appliedOn(r.primary.url(d))).toEqual(['20240101000000_init']);

    // With no failure tolerated (the default), the refusal stops the fleet: nothing else starts.
    const more = await databases('fl_standby_b', 2);
    const strict = [`s1 ${r.standbyUrl(dbs[0]!)}`, ...more.map((d, i) => `p${i + 1} ${r.primary.url(d)}`)];
    const stop = await cli([
      'fleet',
      'run',
      '--migrations',
      dir,
      '--targets',
      targetsFile(strict),
      '--yes',
      '--concurrency',
      '1',
      '--journal-dir',
      tmp('cm-fleet-sb-'),
    ]);
    expect(stop.exitCode, stop.stderr).toBe(4);
    expect(stop.stderr).toContain(
      'The fleet stopped: 1 target failed or was refused (the last: s1), over the budget of --max-failures 0; 2 targets were not started.',
    );
    for (const d of more) expect(await appliedOn(r.primary.url(d))).toEqual([]);
  }, 120_000);
});
