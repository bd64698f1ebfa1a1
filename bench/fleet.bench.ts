// `fleet run` over many databases on two servers with --per-server 4: the fleet's wall time against
// the sum of single runs (what a shell loop of `citadel-migrate run` costs), and the ledger's own
// cost per target (claim, progress, finish), for the file ledger (at the fleet's size and at ten
// times it: the cost per target must not grow with the fleet) and the PostgreSQL one, and the
// console's Fleet pane refreshing over the fleet's ledger (ms per refresh, CPU of this process).
// FLEET_BENCH_DBS: databases per server (default 100, i.e. 200 in all).
// The sum of single runs is extrapolated: the mean of SINGLE_SAMPLE runs times the databases.
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '../src/sandbox/embedded.js';
import { FileLedger } from '../src/fleet/fileLedger.js';
import { PgLedger } from '../src/fleet/pgLedger.js';
import type { Ledger } from '../src/fleet/ledger.js';
import { parseTarget } from '../src/postgres/target.js';
import { readTargetsFile } from '../src/operations/fleet.js';
import { watchFleet } from '../src/operations/fleetWatch.js';
import { FleetPane } from '../src/tui/fleet/FleetPane.js';
import React from 'react';
import { render } from 'ink-testing-library';
import { execFileSync } from 'node:child_process';

const BIN = fileURLToPath(new URL('../bin/citadel-migrate', import.meta.url));
const PER_SERVER_DBS = Number(process.env.FLEET_BENCH_DBS ?? 100);
const SINGLE_SAMPLE = 6;

function migrations(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-fleet-bench-'));
  const files: Record<string, string> = {
    '20240101000000_init':
      'CREATE TABLE tenant_item (id bigserial PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now());',
    '20240102000000_rows': "INSERT INTO tenant_item (name) SELECT 'item ' || g FROM generate_series(1, 2000) g;",
    '20240103000000_index': 'CREATE INDEX tenant_item_name_idx ON tenant_item (name);',
    '20240104000000_column': 'ALTER TABLE tenant_item ADD COLUMN archived boolean NOT NULL DEFAULT false;',
  };
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function ledgerCost(make: () => Ledger, n: number): Promise<number> {
  const ledger = make();
  const plan = Array.from({ length: n }, (_, i) => ({
    name: `t${i}`,
    target: `postgresql://u@h${i % 2}/db${i}`,
    server: `h${i % 2}:5432`,
    wave: 0,
    position: i,
  }));
  await ledger.open(plan);
  const t0 = performance.now();
  for (;;) {
    const c = await ledger.claim(4, 0);
    if (!('claimed' in c)) break;
    await ledger.progress(c.claimed.row.name, '20240101000000_init');
    await ledger.finish(c.claimed.row.name, { state: 'applied', durationMs: 1, applied: 4 });
  }
  const ms = performance.now() - t0;
  await ledger.close();
  return ms / n;
}

async function main() {
  const settings = { max_connections: '200' };
  const [a, b] = await Promise.all([startSandbox({ settings }), startSandbox({ settings })]);
  const servers: Sandbox[] = [a, b];
  const work = mkdtempSync(path.join(os.tmpdir(), 'cm-fleet-bench-w-'));
  // each server its own password, from a password file as a DBA keeps them
  const passfile = path.join(work, 'pgpass');
  writeFileSync(passfile, servers.map((s) => `127.0.0.1:${s.port}:*:postgres:${s.password}`).join('\n') + '\n', {
    mode: 0o600,
  });
  const env = { PGPASSFILE: passfile };
  const dir = migrations();
  try {
    const lines: string[] = [];
    for (const s of servers)
      for (let i = 0; i < PER_SERVER_DBS; i++) {
        const db = `fleet_${s.port}_${i}`;
        await s.createDatabase(db);
        lines.push(`s${s.port}_${i} postgresql://postgres@127.0.0.1:${s.port}/${db}`);
      }
    const targets = path.join(work, 'targets.txt');
    writeFileSync(targets, `${lines.join('\n')}\n`);
    const total = lines.length;

    // single runs, as a shell loop would do them, on databases of their own
    const singles: number[] = [];
    for (let i = 0; i < SINGLE_SAMPLE; i++) {
      const s = servers[i % 2]!;
      const db = `single_${i}`;
      await s.createDatabase(db);
      const t0 = performance.now();
      await execa('node', [BIN, 'run', '--yes', '--migrations', dir], {
        env: {
          ...env,
          DATABASE_URL: `postgresql://postgres@127.0.0.1:${s.port}/${db}`,
          CITADEL_JOURNAL_DIR: path.join(work, 'j1'),
        },
        stdin: 'ignore',
      });
      singles.push(performance.now() - t0);
    }
    const single = singles.reduce((x, y) => x + y, 0) / singles.length;

    const ledgerDb = 'fleet_ledger';
    await a.createDatabase(ledgerDb);
    const t0 = performance.now();
    const r = await execa(
      'node',
      [
        BIN,
        'fleet',
        'run',
        '--json',
        '--yes',
        '--migrations',
        dir,
        '--targets',
        targets,
        '--per-server',
        '4',
        '--concurrency',
        '8',
        '--ledger',
        `postgresql://postgres@127.0.0.1:${a.port}/${ledgerDb}`,
      ],
      { env: { ...env, CITADEL_JOURNAL_DIR: path.join(work, 'j2') }, stdin: 'ignore', reject: false },
    );
    const wallMs = performance.now() - t0;
    if (r.exitCode !== 0) throw new Error(`fleet run exited ${r.exitCode}: ${r.stderr}`);
    const doc = JSON.parse(r.stdout) as { counts: Record<string, number>; targets: { durationMs: number }[] };
    const sumInFleet = doc.targets.reduce((x, t) => x + (t.durationMs ?? 0), 0);

    const fileCost = await ledgerCost(
      () => new FileLedger(path.join(work, 'bench-ledger.json'), 'bench', 'bench-runner'),
      total,
    );
    const fileCost10x = await ledgerCost(
      () => new FileLedger(path.join(work, 'bench-ledger-10x.json'), 'bench', 'bench-runner'),
      total * 10,
    );

    // The console's Fleet pane over this fleet's ledger, 200 rows drawn, refreshed every 250 ms.
    process.env.PGPASSFILE = passfile;
    const { targets: fleetTargets } = readTargetsFile(targets);
    const watch = await watchFleet({
      migrationsDir: dir,
      targets: fleetTargets,
      ledgerUrl: `postgresql://postgres@127.0.0.1:${a.port}/${ledgerDb}`,
    });
    const reads: number[] = [];
    const timed = {
      ...watch,
      read: async () => {
        const t = performance.now();
        const st = await watch.read();
        reads.push(performance.now() - t);
        return st;
      },
    };
    const cpu0 = process.cpuUsage();
    const ui = render(React.createElement(FleetPane, { watch: timed, refreshMs: 250, rows: total }));
    await new Promise((r) => setTimeout(r, 10_000));
    const cpu = process.cpuUsage(cpu0);
    ui.unmount();
    const rowsDrawn = (ui.lastFrame() ?? '').split('\n').filter((l) => /^s\d+_\d+ +applied/.test(l)).length;
    const refreshes = reads.length;
    await a.createDatabase('fleet_ledger_cost');
    const pgCost = await ledgerCost(
      () => new PgLedger(parseTarget(a.url('fleet_ledger_cost')), 'bench', 'bench-runner'),
      total,
    );
    console.log(
      JSON.stringify(
        {
          databases: total,
          servers: 2,
          perServer: 4,
          concurrency: 8,
          applied: doc.counts.applied,
          fleetWallMs: Math.round(wallMs),
          sumOfTargetRunsInFleetMs: Math.round(sumInFleet),
          singleCliRunMeanMs: Math.round(single),
          shellLoopEstimateMs: Math.round(single * total),
          speedupOverShellLoop: Number(((single * total) / wallMs).toFixed(2)),
          ledgerMsPerTarget: {
            file: Number(fileCost.toFixed(2)),
            [`file at ${total * 10} targets`]: Number(fileCost10x.toFixed(2)),
            postgresql: Number(pgCost.toFixed(2)),
          },
          fleetPane: {
            rowsDrawn,
            refreshes,
            readMsMedian: Number(reads.sort((x, y) => x - y)[Math.floor(reads.length / 2)]!.toFixed(2)),
            cpuMsPerRefresh: Number(((cpu.user + cpu.system) / 1000 / Math.max(1, refreshes)).toFixed(2)),
          },
          loadAverage: execFileSync('uptime', { encoding: 'utf8' }).trim(),
        },
        null,
        2,
      ),
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

await main();
