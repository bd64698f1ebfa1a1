// The monitor's cost with 200 idle and 20 active sessions (and a few lock waits):
//  - server-side time per fast refresh, from pg_stat_statements (planning + execution of the
//    queries of one round trip): target <= 5 ms;
//  - the round trip as the console sees it;
//  - the sizes refresh (pg_database_size, largest relations, WAL), which runs every 30 s;
//  - the CPU the monitor costs the console process at a 1 s refresh (measured in a child process
//    that does nothing else).
import pg from 'pg';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/sandbox/embedded.js';
import { parseTarget } from '../src/postgres/target.js';
import { Monitor } from '../src/monitor/monitor.js';
import { sqlFile } from '../src/postgres/sqlFiles.js';

const FAST_FILES = ['lock_waits', 'migration_lock_sessions', 'connections_by_application_and_state', 'table_lock_holders', 'migration_history_fingerprint', 'index_build_progress'];
const SIZE_FILES = ['database_size', 'largest_relations_not_locked', 'wal_size'];
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function child(url: string, seconds: number): Promise<void> {
  const monitor = new Monitor(parseTarget(url), { refreshMs: 1000 });
  let refreshes = 0;
  monitor.start(() => refreshes++);
  await new Promise((r) => setTimeout(r, 3000)); // warm up: connections, JIT of our own code
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const n0 = refreshes;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  await monitor.stop();
  process.stdout.write(JSON.stringify({ cpuPercentOfCore: round((100 * (cpu.user + cpu.system)) / 1000 / wallMs, 3), refreshes: refreshes - n0, rssMB: round(process.memoryUsage().rss / 2 ** 20, 1) }));
}

async function main(): Promise<void> {
  const sandbox = await startSandbox({ settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on', max_connections: '300' } });
  const clients: pg.Client[] = [];
  let loadRunning = true;
  try {
    await sandbox.createDatabase('shop');
    const url = sandbox.url('shop');
    const open = async (app: string) => {
      const c = new pg.Client({ connectionString: url, application_name: app });
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    };
    const admin = await open('bench-admin');
    await admin.query('CREATE EXTENSION pg_stat_statements');
    // A schema the size of a real application: 60 tables with indexes, a few with rows.
    for (let i = 0; i < 60; i++) {
      await admin.query(`CREATE TABLE t${i} (id bigint PRIMARY KEY, email text, created_at timestamptz DEFAULT now()); CREATE INDEX ON t${i} (email)`);
      if (i < 10) await admin.query(`INSERT INTO t${i} (id, email) SELECT g, 'u' || g FROM generate_series(1, 20000) g`);
    }
    for (let i = 0; i < 200; i++) await open(i % 3 ? 'web' : 'worker');
    const active: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      const c = await open('api');
      active.push(
        (async () => {
          // Active as an application's sessions are: mostly waiting (I/O, client, sleep), some CPU.
          while (loadRunning) await c.query(`SELECT count(*) FROM t${i % 10} WHERE id < 2000; SELECT pg_sleep(0.2)`).catch(() => undefined);
        })(),
      );
    }
    // A blocker with three waiters, so that the lock query has a tree to build.
    const holder = await open('holder');
    await holder.query('BEGIN; LOCK TABLE t50 IN SHARE MODE');
    const waiters = await Promise.all([open('w1'), open('w2'), open('w3')]);
    const waiting = waiters.map((w) => w.query('UPDATE t50 SET email = email').catch(() => undefined));
    await new Promise((r) => setTimeout(r, 300));

    const monitor = new Monitor(parseTarget(url), { refreshMs: 1000 });
    await monitor.refresh();
    await monitor.refreshSizes();
    await admin.query('SELECT pg_stat_statements_reset()');
    const rounds = 300;
    const roundTrips: number[] = [];
    for (let i = 0; i < rounds; i++) roundTrips.push((await monitor.refresh()).roundTripMs!);
    const sizeTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await monitor.refreshSizes();
      sizeTimes.push(performance.now() - t0);
    }
    const last = monitor.snapshot();
    await monitor.stop();

    const stats = (await admin.query(`SELECT query, calls, total_exec_time + total_plan_time AS ms FROM pg_stat_statements`)).rows;
    // pg_stat_statements replaces constants by $n: a file's statement is recognised by its lines
    // that hold no constant.
    const serverMs = (file: string) => {
      const lines = sqlFile(file).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('--') && !/['0-9]|\b(NULL|true|false)\b/i.test(l));
      const hits = stats.filter((s) => lines.every((l) => s.query.includes(l)));
      const calls = hits.reduce((n, s) => n + Number(s.calls), 0);
      return calls ? hits.reduce((n, s) => n + Number(s.ms), 0) / calls : NaN;
    };
    const perQuery = Object.fromEntries(FAST_FILES.map((f) => [f, round(serverMs(f), 3)]));
    const sizesPerQuery = Object.fromEntries(SIZE_FILES.map((f) => [f, round(serverMs(f), 3)]));
    const serverPerRefresh = Object.values(perQuery).reduce((a, b) => a + b, 0);

    const childRun = await execa('node', ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', url, '20'], { reject: false });
    const cpu = childRun.exitCode === 0 ? JSON.parse(childRun.stdout) : { error: childRun.stderr.slice(0, 500) };

    loadRunning = false;
    await holder.query('ROLLBACK');
    await Promise.all([...waiting, ...active]);

    console.log(
      JSON.stringify(
        {
          sessions: { idle: 200, active: 20, lockWaits: last.locks.sessions.filter((s) => s.wanted).length, total: last.connections.total },
          serverMsPerRefresh: round(serverPerRefresh, 3),
          serverMsPerQuery: perQuery,
          target: 'server time per refresh <= 5 ms',
          roundTripMs: { median: round(quantile(roundTrips, 0.5)), p95: round(quantile(roundTrips, 0.95)), max: round(Math.max(...roundTrips)) },
          sizesRefreshMs: { median: round(quantile(sizeTimes, 0.5)), serverMsPerQuery: sizesPerQuery },
          monitorProcessAt1s: cpu,
        },
        null,
        2,
      ),
    );
  } finally {
    loadRunning = false;
    for (const c of clients) await c.end().catch(() => undefined);
    await sandbox.stop();
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]));
else await main();
