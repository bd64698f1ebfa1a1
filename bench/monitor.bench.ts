// The monitor's cost with 200 idle and 20 active sessions (and a few lock waits):
//  - server-side time per fast refresh, from pg_stat_statements, planning and execution apart (the
//    queries of one round trip): target <= 2.5 ms (issue 17); then again once the lock waits are
//    gone (nothingWaiting). pg_stat_statements times the executor's run only; the statement log
//    below times every protocol step;
//  - the round trip as the console sees it;
//  - the sizes refresh (pg_database_size, largest relations, WAL), which runs every 30 s;
//  - the CPU the monitor costs the console process at a 1 s refresh (measured in a child process
//    that does nothing else);
//  - what the console costs the server per second next to pg_activity --refresh 1 on the same
//    server in the same run, from the server's statement log and the CPU of each tool's backends
//    (bench/serverTime.ts): target, ours <= half of pg_activity's. The console is the built one
//    (built here when dist/ is older than src/), run in tmux; pg_activity is skipped, said so, when
//    it is not installed. BENCH_KEEP_LOG=1 keeps the server's log (its path goes to stderr).
import pg from 'pg';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '../src/sandbox/embedded.js';
import { parseTarget } from '../src/postgres/target.js';
import { Monitor } from '../src/monitor/monitor.js';
import { sqlFile } from '../src/postgres/sqlFiles.js';
import { backendPids, cpuBetween, cpuMs, hasProgram, ServerLog, serverLogSettings, Terminal } from './serverTime.js';

const FAST_FILES = [
  'lock_waits',
  'migration_lock_sessions',
  'connections_by_application_and_state',
  'table_lock_holders',
  'migration_history_fingerprint',
  'index_build_progress',
];
const SIZE_FILES = ['database_size', 'largest_relations_not_locked', 'wal_size'];
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const isOurs = (app: string) => app.startsWith('citadel-migrate');
const isPgActivity = (app: string) => app === 'pg_activity';

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
  process.stdout.write(
    JSON.stringify({
      cpuPercentOfCore: round((100 * (cpu.user + cpu.system)) / 1000 / wallMs, 3),
      refreshes: refreshes - n0,
      rssMB: round(process.memoryUsage().rss / 2 ** 20, 1),
    }),
  );
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'cm-bench-monitor-'));
  const log = new ServerLog(path.join(work, 'server.log'));
  const sandbox = await startSandbox({
    settings: {
      shared_preload_libraries: 'pg_stat_statements',
      'pg_stat_statements.track_planning': 'on',
      max_connections: '300',
      ...serverLogSettings,
    },
    onLog: log.write,
  });
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
      await admin.query(
        `CREATE TABLE t${i} (id bigint PRIMARY KEY, email text, created_at timestamptz DEFAULT now()); CREATE INDEX ON t${i} (email)`,
      );
      if (i < 10)
        await admin.query(`INSERT INTO t${i} (id, email) SELECT g, 'u' || g FROM generate_series(1, 20000) g`);
    }
    for (let i = 0; i < 200; i++) await open(i % 3 ? 'web' : 'worker');
    const active: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      const c = await open('api');
      active.push(
        (async () => {
          // Active as an application's sessions are: mostly waiting (I/O, client, sleep), some CPU.
          while (loadRunning)
            await c
              .query(`SELECT count(*) FROM t${i % 10} WHERE id < 2000; SELECT pg_sleep(0.2)`)
              .catch(() => undefined);
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

    const stats = await statementStats(admin);
    const perQuery = {
      ...Object.fromEntries(FAST_FILES.map((f) => [f, serverMs(stats, f)])),
      timeouts: timeoutsMs(stats),
    };
    const sizesPerQuery = Object.fromEntries(
      SIZE_FILES.map((f) => {
        const t = serverMs(stats, f);
        return [f, round(t.plan + t.exec, 3)];
      }),
    );

    const childRun = await execa('node', ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', url, '20'], {
      reject: false,
    });
    const cpu = childRun.exitCode === 0 ? JSON.parse(childRun.stdout) : { error: childRun.stderr.slice(0, 500) };

    // A comparison that cannot run (no console build, a program that does not start) leaves the rest.
    const nextToPgActivity = await compareWithPgActivity(sandbox, url, admin, log, work).catch((err: Error) => ({
      error: err.message.slice(0, 2000),
    }));

    // The same refreshes once nothing waits and no idle transaction holds a table (the usual case):
    // the lock table is then not read by lock_waits nor table_lock_holders.
    await holder.query('ROLLBACK');
    await Promise.all(waiting);
    const quiet = new Monitor(parseTarget(url), { refreshMs: 1000, sizes: false });
    await quiet.refresh();
    await admin.query('SELECT pg_stat_statements_reset()');
    for (let i = 0; i < rounds; i++) await quiet.refresh();
    await quiet.stop();
    const quietStats = await statementStats(admin);
    const quietPerQuery = {
      ...Object.fromEntries(FAST_FILES.map((f) => [f, serverMs(quietStats, f)])),
      timeouts: timeoutsMs(quietStats),
    };

    loadRunning = false;
    await Promise.all(active);

    console.log(
      JSON.stringify(
        {
          sessions: {
            idle: 200,
            active: 20,
            lockWaits: last.locks.sessions.filter((s) => s.wanted).length,
            total: last.connections.total,
          },
          serverMsPerRefresh: perRefresh(perQuery),
          serverMsPerQuery: perQuery,
          target: 'server time per refresh (plan + exec) <= 2.5 ms, in one round trip',
          nothingWaiting: { serverMsPerRefresh: perRefresh(quietPerQuery), serverMsPerQuery: quietPerQuery },
          roundTripMs: {
            median: round(quantile(roundTrips, 0.5)),
            p95: round(quantile(roundTrips, 0.95)),
            max: round(Math.max(...roundTrips)),
          },
          sizesRefreshMs: { median: round(quantile(sizeTimes, 0.5)), serverMsPerQuery: sizesPerQuery },
          monitorProcessAt1s: cpu,
          nextToPgActivity,
        },
        null,
        2,
      ),
    );
  } finally {
    loadRunning = false;
    for (const c of clients) await c.end().catch(() => undefined);
    await sandbox.stop();
    log.close();
    if (process.env.BENCH_KEEP_LOG) process.stderr.write(`the server's log is kept in ${log.path}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

type Stat = { query: string; calls: string; plan: number; exec: number };
const statementStats = async (admin: pg.Client) =>
  (
    await admin.query<Stat>(
      `SELECT query, calls, total_plan_time AS plan, total_exec_time AS exec FROM pg_stat_statements`,
    )
  ).rows;

/**
 * Plan and exec ms per call of a file's statement. pg_stat_statements replaces constants by $n: a
 * file's statement is recognised by its lines that hold no constant. A prepared statement is
 * planned once: its plan time per call tends to 0.
 */
function serverMs(stats: Stat[], file: string): { plan: number; exec: number } {
  const lines = sqlFile(file)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('--') && !/['0-9]|\b(NULL|true|false)\b/i.test(l));
  return perCall(stats.filter((s) => lines.every((l) => s.query.includes(l))));
}

/** The monitor's timeouts, set again first in every batch (for poolers): not a file of sql/. */
function timeoutsMs(stats: Stat[]): { plan: number; exec: number } {
  // Normalised ($1...) when parsed after the last reset, as written when prepared before it.
  return perCall(
    stats.filter((s) =>
      /^SELECT set_config\((\$1, \$2, \$3|'lock_timeout', '\d+ms', true)\), set_config\((\$4, \$5, \$6|'statement_timeout', '\d+ms', true)\)$/.test(
        s.query.trim(),
      ),
    ),
  );
}

function perCall(hits: Stat[]): { plan: number; exec: number } {
  const calls = hits.reduce((n, s) => n + Number(s.calls), 0);
  const per = (k: 'plan' | 'exec') => (calls ? round(hits.reduce((n, s) => n + Number(s[k]), 0) / calls, 3) : NaN);
  return { plan: per('plan'), exec: per('exec') };
}

function perRefresh(perQuery: Record<string, { plan: number; exec: number }>) {
  const sum = (k: 'plan' | 'exec') =>
    round(
      Object.values(perQuery).reduce((n, t) => n + t[k], 0),
      3,
    );
  return { plan: sum('plan'), exec: sum('exec'), total: round(sum('plan') + sum('exec'), 3) };
}

/** One window: what the applications `which` accepts cost the server, per second. */
async function window(admin: pg.Client, log: ServerLog, which: (app: string) => boolean, seconds: number) {
  const pids = await backendPids(admin, which);
  const [t0, cpu0] = [Date.now(), cpuMs(pids)];
  await sleep(seconds * 1000);
  const [t1, cpu1] = [Date.now(), cpuMs(pids)];
  const logged = await log.timeOf(which, t0, t1);
  return {
    seconds,
    loggedMsPerSecond: logged.msPerSecond,
    logLines: logged.lines,
    byApplication: logged.byApplication,
    backends: pids.length,
    backendCpuMsPerSecond: round(cpuBetween(cpu0, cpu1) / ((t1 - t0) / 1000), 3),
  };
}

/**
 * The console (or, without tmux, the Monitor in a child process) at a 1 s refresh, then
 * pg_activity --refresh 1 as installed (and once more without its size and temp-file queries), on
 * the same server under the same load, one after the other. Ours is measured over 30 s, the sizes
 * refresh's period, so that its one size reading per period counts as it does in the long run.
 */
async function compareWithPgActivity(sandbox: Sandbox, url: string, admin: pg.Client, log: ServerLog, work: string) {
  const terminal = Terminal.available()
    ? new Terminal({
        DATABASE_URL: url,
        CITADEL_JOURNAL_DIR: path.join(work, 'journal'),
        PGPASSFILE: path.join(work, 'pgpass'),
      })
    : undefined;
  writeFileSync(path.join(work, 'pgpass'), `${sandbox.host}:${sandbox.port}:*:${sandbox.user}:${sandbox.password}\n`, {
    mode: 0o600,
  });
  try {
    let ours: { how: string } & Awaited<ReturnType<typeof window>>;
    if (terminal) {
      buildIfStale();
      terminal.start('console', { cwd: work, columns: 100, rows: 30 }, [
        'node',
        path.join(ROOT, 'bin/citadel-migrate'),
        'console',
        '--refresh',
        '1',
      ]);
      await terminal.waitFor('console', (s) => /Migrations \d+\/\d+/.test(s) && /db \d/.test(s), 'the console');
      await sleep(10_000); // settled: the checklist and the plan read ahead for the run dialog are done
      ours = {
        how: 'bin/citadel-migrate console --refresh 1, in tmux, all its sessions',
        ...(await window(admin, log, isOurs, 30)),
      };
      await terminal.quit('console');
    } else {
      const child = execa('node', ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', url, '45'], {
        reject: false,
      });
      await sleep(10_000);
      ours = {
        how: 'tmux is missing: the Monitor (fast and sizes sessions) in a child process, not the console',
        ...(await window(admin, log, isOurs, 30)),
      };
      await child;
    }
    if (!hasProgram('pg_activity'))
      return {
        ours,
        pgActivity: { skipped: 'pg_activity is not installed (Debian: apt-get install pg-activity): no comparison' },
      };
    if (!terminal)
      return { ours, pgActivity: { skipped: 'pg_activity needs a terminal and tmux is not installed: no comparison' } };
    const pgActivity = async (flags: string[]) => {
      terminal.start('pg_activity', { columns: 160, rows: 50 }, [
        'pg_activity',
        '--refresh',
        '1',
        ...flags,
        '-h',
        sandbox.host,
        '-p',
        String(sandbox.port),
        '-U',
        sandbox.user,
        '-d',
        'shop',
      ]);
      await terminal.waitFor('pg_activity', (s) => /PostgreSQL \d/.test(s), 'pg_activity');
      await sleep(5000);
      const w = await window(admin, log, isPgActivity, 20);
      await terminal.quit('pg_activity');
      return { how: `pg_activity --refresh 1${flags.length ? ` ${flags.join(' ')}` : ''}`, ...w };
    };
    const asInstalled = await pgActivity([]);
    const withoutSizes = await pgActivity(['--no-db-size', '--no-tempfiles', '--no-walreceiver']);
    const ratio = (a: number, b: number) => round(a / b, 3);
    const fast = Object.entries(ours.byApplication).filter(
      ([app]) => app.startsWith('citadel-migrate monitor') && !app.endsWith('(sizes)'),
    );
    return {
      how: "server log (log_min_duration_statement = 0): the durations of every statement, or of every parse, bind and execute step, of the tool's sessions in the window, per second (the extended protocol's Sync, where our implicit transaction commits, is not logged: a read-only commit, a few microseconds); backendCpu: the CPU time of those backends (/proc/PID/schedstat), logging included. Unlike pg_stat_statements, both count binding and starting the executor.",
      ours,
      oursFastRefreshLoggedMs: {
        perSecond: round(fast.reduce((n, [, a]) => n + a.ms, 0) / ours.seconds, 3),
        note: 'the monitor session alone; at one refresh a second, also its logged ms per refresh',
      },
      pgActivity: asInstalled,
      pgActivityWithoutSizes: withoutSizes,
      oursOverPgActivity: {
        logged: ratio(ours.loggedMsPerSecond, asInstalled.loggedMsPerSecond),
        backendCpu: ratio(ours.backendCpuMsPerSecond, asInstalled.backendCpuMsPerSecond),
      },
      oursOverPgActivityWithoutSizes: {
        logged: ratio(ours.loggedMsPerSecond, withoutSizes.loggedMsPerSecond),
        backendCpu: ratio(ours.backendCpuMsPerSecond, withoutSizes.backendCpuMsPerSecond),
      },
      target: "ours <= 0.5 x pg_activity's (logged server time per second)",
    };
  } finally {
    terminal?.close();
  }
}

/** The console run here is the built one: build it when any source is newer than the bundle. */
function buildIfStale(): void {
  const bundle = path.join(ROOT, 'dist/bundle/bin.js');
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs,
      ),
    );
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newest(path.join(ROOT, 'src'))) return;
  process.stderr.write('building the console first (dist/ is older than src/): npm run build\n');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]));
else await main();
