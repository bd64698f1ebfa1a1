// The console's costs in a real terminal (tmux, 80x24) on an embedded PostgreSQL with 200 idle
// application sessions connected: time from process start to the first full frame (all four panes
// filled), idle CPU at a 1 s refresh, RSS, the bytes written to the terminal per second while idle
// and while a migration runs, and key-to-screen latency for a cursor move (j until its frame reaches the terminal).
// Run: npm run build && node --import tsx bench/console.bench.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startSandbox } from '../src/sandbox/embedded.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin/citadel-migrate');
const socket = `cm-bench-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const capture = (s: string) => tmux('capture-pane', '-p', '-t', s);

async function until(probe: () => boolean, what: string, timeoutMs = 30_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks (100 Hz)
}
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const work = mkdtempSync(path.join(os.tmpdir(), 'cm-bench-console-'));
const sandbox = await startSandbox({ settings: { max_connections: '300' } });
const idle: pg.Client[] = [];
try {
  await sandbox.createDatabase('citadelbuy');
  const url = sandbox.url('citadelbuy');
  // 200 idle application sessions, as a real application's pool keeps them.
  for (let i = 0; i < 200; i++) {
    const c = new pg.Client({
      connectionString: url,
      application_name: i % 3 ? 'citadelbuy-web' : 'citadelbuy-worker',
    });
    c.on('error', () => undefined);
    await c.connect();
    idle.push(c);
  }
  // The bundled runbook, plus a first migration whose 14 statements take a second each: the keys in a run, then its bytes.
  const migrations = path.join(work, 'migrations');
  cpSync(path.join(ROOT, 'migrations'), migrations, { recursive: true });
  mkdirSync(path.join(migrations, '00000000000000_slow_start'));
  writeFileSync(
    path.join(migrations, '00000000000000_slow_start', 'migration.sql'),
    Array.from({ length: 14 }, (_, i) => `CREATE TABLE bench_${i} (id int);\nSELECT pg_sleep(1);\n`).join(''),
  );
  const env = ['-e', `DATABASE_URL=${url}`, '-e', `CITADEL_JOURNAL_DIR=${path.join(work, 'journal')}`];
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'hold', 'sleep 3600');

  // 1. Start to first full frame (header, four panes, every migration), five times.
  const firstFrame: number[] = [];
  const firstFrameCpu: number[] = [];
  // Node's own start on this machine, for scale: `node -e ''`, five times.
  const nodeStart = Array.from({ length: 5 }, () => {
    const t = performance.now();
    execFileSync('node', ['-e', '']);
    return performance.now() - t;
  });
  for (let i = 0; i < 5; i++) {
    const s = `start${i}`;
    const t0 = performance.now();
    tmux('new-session', '-d', '-s', s, '-x', '80', '-y', '24', ...env, '--', 'node', BIN, '--migrations', migrations);
    // The screen is read when the console has written something (tmux's copy of its output grew), or
    // every 50 ms: a capture-pane every 5 ms would take a good part of this 2-core machine from the
    // console it times.
    const written = path.join(work, `start${i}.bytes`);
    writeFileSync(written, '');
    tmux('pipe-pane', '-o', '-t', s, `cat >> ${written}`);
    let [size, readAt] = [-1, 0];
    // Full: every migration, and all four panes filled (no "not available yet", no "checking…").
    await until(
      () => {
        const now = performance.now();
        if (statSync(written).size === size && now - readAt < 50) return false;
        [size, readAt] = [statSync(written).size, now];
        const c = capture(s);
        return (
          c.includes('Migrations 0/8') &&
          c.includes('organization_module') &&
          c.includes('Disk / size') &&
          c.includes('? help') &&
          !c.includes('not available yet') &&
          !c.includes('checking…') &&
          /db \d/.test(c)
        );
      },
      'the first full frame',
      30_000,
      2,
    );
    firstFrame.push(performance.now() - t0);
    // The CPU the console spent until then: what a faster machine or a quieter one would shorten.
    firstFrameCpu.push(cpuSeconds(Number(tmux('display-message', '-p', '-t', s, '#{pane_pid}').trim())) * 1000);
    tmux('send-keys', '-t', s, 'q');
    await sleep(300);
    try {
      tmux('kill-session', '-t', s);
    } catch {
      // exited by itself
    }
  }

  // 2. Idle: CPU, RSS and bytes to the terminal over 10 s, after the console has settled.
  const s = 'idle';
  const bytesFile = path.join(work, 'terminal.bytes');
  writeFileSync(bytesFile, '');
  tmux(
    'new-session',
    '-d',
    '-s',
    s,
    '-x',
    '80',
    '-y',
    '24',
    ...env,
    '--',
    'node',
    BIN,
    'console',
    '--migrations',
    migrations,
    '--refresh',
    '1',
  );
  tmux('pipe-pane', '-o', '-t', s, `cat >> ${bytesFile}`);
  await until(() => capture(s).includes('Migrations 0/8'), 'the console', 30_000, 20);
  const pid = Number(tmux('display-message', '-p', '-t', s, '#{pane_pid}').trim());
  await sleep(10_000); // settled: the checklist and the plan read ahead for the run dialog are done
  const idleSeconds = 10;
  const [cpu0, b0] = [cpuSeconds(pid), statSync(bytesFile).size];
  await sleep(idleSeconds * 1000);
  const [cpu1, b1] = [cpuSeconds(pid), statSync(bytesFile).size];
  const rss = rssMb(pid);

  // Key to screen: j moves the selection one row. Timed to the first byte of the new frame reaching
  // the terminal (tmux's copy of the pane's output, polled every millisecond: a capture-pane per poll
  // would add its own ~10 ms), then checked on the screen: the selection did move.
  const latencies: number[] = [];
  const selectedRow = () =>
    capture(s)
      .split('\n')
      .findIndex((l) => /[│║]›/.test(l));
  for (let i = 0; i < 20; i++) {
    const key = i % 2 ? 'k' : 'j';
    const before = selectedRow();
    const bytes = statSync(bytesFile).size;
    const t = performance.now();
    tmux('send-keys', '-t', s, key);
    await until(() => statSync(bytesFile).size !== bytes, 'the frame after the key', 5000, 1);
    latencies.push(performance.now() - t);
    await until(() => selectedRow() !== before, 'the selection to move', 5000, 5);
    await sleep(200);
  }

  // 3. During a run: R, type the database name (LIVE), Enter; bytes until the slow migration is applied.
  tmux('send-keys', '-t', s, 'R');
  await until(() => capture(s).includes('Run 8 pending migrations?'), 'the run dialog', 60_000, 20);
  tmux('send-keys', '-t', s, '-l', 'citadelbuy');
  tmux('send-keys', '-t', s, 'Enter');
  // The bundled runbook has plan errors (a table used before the migration that creates it): a second confirmation.
  await until(() => /run anyway\?/.test(capture(s)), 'the second confirmation', 10_000, 20);
  tmux('send-keys', '-t', s, 'y');
  await until(() => /▶ 00000000000000_slow/.test(capture(s)), 'the run to start', 20_000, 20);
  // Key to screen during the run: frames come from the run too, so the first byte after a key is not
  // its own: timed until the screen shows the selection moved (polled, each poll a few ms: an upper bound).
  const runLatencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const before = selectedRow();
    const t = performance.now();
    tmux('send-keys', '-t', s, i % 2 ? 'k' : 'j');
    await until(() => selectedRow() !== before, 'the selection to move during the run', 5000, 1);
    runLatencies.push(performance.now() - t);
    await sleep(150);
  }
  const [r0, t0] = [statSync(bytesFile).size, performance.now()];
  const cpuRun0 = cpuSeconds(pid);
  await until(() => /✓ 00000000000000_slow/.test(capture(s)), 'the slow migration applied', 60_000, 50);
  const [r1, t1] = [statSync(bytesFile).size, performance.now()];
  const cpuRun1 = cpuSeconds(pid);
  const rssRun = rssMb(pid);
  tmux('send-keys', '-t', s, 'q');
  await sleep(500);

  const runSeconds = (t1 - t0) / 1000;
  console.log(
    'console benchmark (tmux 80x24, embedded PostgreSQL 15, 200 idle application sessions, bundled runbook + a 14 s migration)',
  );
  console.log(
    `  start to first full frame: median ${median(firstFrame).toFixed(0)} ms (runs: ${firstFrame.map((x) => x.toFixed(0)).join(', ')}; target <= 400 ms)`,
  );
  console.log(
    `  CPU until that frame:      median ${median(firstFrameCpu).toFixed(0)} ms (Node's own start, node -e '': median ${median(nodeStart).toFixed(0)} ms wall)`,
  );
  console.log(
    `  idle CPU at 1 s refresh:   ${((100 * (cpu1 - cpu0)) / idleSeconds).toFixed(2)} % of a core over ${idleSeconds} s (target <= 2 %)`,
  );
  console.log(`  RSS idle / during a run:   ${rss.toFixed(0)} MB / ${rssRun.toFixed(0)} MB (target <= 150 MB)`);
  console.log(`  terminal bytes idle:       ${((b1 - b0) / idleSeconds).toFixed(0)} B/s (target <= 2048 B/s)`);
  console.log(
    `  key to screen (j/k):       median ${median(latencies).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms (target <= 50 ms; 20 presses, to the frame's first byte in the terminal)`,
  );
  console.log(`    each press (ms):         ${latencies.map((x) => x.toFixed(0)).join(', ')}`);
  console.log(
    `  key to screen in a run:    median ${median(runLatencies).toFixed(0)} ms, max ${Math.max(...runLatencies).toFixed(0)} ms (20 presses, until the screen shows the move: an upper bound)`,
  );
  console.log(
    `  terminal bytes in a run:   ${((r1 - r0) / runSeconds).toFixed(0)} B/s over ${runSeconds.toFixed(1)} s; CPU ${((100 * (cpuRun1 - cpuRun0)) / runSeconds).toFixed(1)} % of a core`,
  );
} finally {
  try {
    tmux('kill-server');
  } catch {
    // not started
  }
  for (const c of idle) await c.end().catch(() => undefined);
  await sandbox.stop();
  rmSync(work, { recursive: true, force: true });
}
