// A primary and a streaming standby of its own, for the replication tests: the primary is a sandbox
// (the embedded PostgreSQL 15), the standby a `pg_basebackup -R` copy of it started on another port
// in a temporary folder. Lag is made on purpose with pg_wal_replay_pause() on the standby.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startSandbox, type Sandbox } from '../../src/sandbox/embedded.js';
import { packageBinaries, sandboxBinaries } from '../../src/sandbox/binaries.js';
import net from 'node:net';
import { waitUntil } from './wait.js';

export interface Replicated {
  primary: Sandbox;
  /** application_name the standby streams under (its cluster_name): the name pg_stat_replication shows. */
  standbyName: string;
  standbyPort: number;
  /** A URL of a database on the standby (read-only: it is in recovery). */
  standbyUrl(database: string): string;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Until the standby has replayed everything the primary wrote so far. */
  waitCaughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** pg_basebackup 15: the embedded package's (it ships none today), else the system's PostgreSQL 15. */
export function pgBasebackup(): string {
  const candidates = [
    path.join(packageBinaries().root, 'bin', 'pg_basebackup'),
    '/usr/lib/postgresql/15/bin/pg_basebackup',
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(
      'pg_basebackup 15 is needed for the standby tests and was not found: install it with apt-get install postgresql-client-15.',
    );
  return found;
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

const canConnect = (url: string) =>
  query(url, 'SELECT 1').then(
    () => true,
    () => false,
  );

/**
 * Starts a primary (with `primarySettings`, e.g. archiving) and a standby streaming from it, and
 * waits until the primary lists the standby as streaming. Everything is removed by stop().
 */
export async function startReplicated(
  opts: { standbyName?: string; primarySettings?: Record<string, string> } = {},
): Promise<Replicated> {
  const standbyName = opts.standbyName ?? 'replica-1';
  const primary = await startSandbox({
    settings: { wal_level: 'replica', max_wal_senders: '5', wal_sender_timeout: '60s', ...opts.primarySettings },
  });
  const ids = postgresIds();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cm-standby-'));
  await fs.chmod(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  await fs.mkdir(dataDir, { mode: 0o700 });
  if (ids) {
    await fs.chown(dataDir, ids.uid, ids.gid);
    await fs.chown(dir, ids.uid, ids.gid);
  }
  let server: ChildProcess | undefined;
  let watchdog: ChildProcess | undefined;
  const cleanup = async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGQUIT');
      await exited;
    }
    watchdog?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await primary.stop();
  };
  try {
    // The password travels in the environment, never on a command line.
    const backup = spawnSync(
      pgBasebackup(),
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(primary.port),
        '-U',
        primary.user,
        '-D',
        dataDir,
        '-R',
        '-X',
        'stream',
        '-c',
        'fast',
      ],
      { ...(ids ?? {}), env: { ...process.env, PGPASSWORD: primary.password }, encoding: 'utf8', timeout: 60_000 },
    );
    if (backup.status !== 0) throw new Error(`pg_basebackup failed: ${backup.stderr || backup.error?.message}`);
    const port = await freePort();
    const socketDir = path.join(dir, 'socket');
    await fs.mkdir(socketDir);
    if (ids) await fs.chown(socketDir, ids.uid, ids.gid);
    const flags = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: socketDir,
      // the name the primary's pg_stat_replication shows for this standby
      cluster_name: standbyName,
      hot_standby: 'on',
      // a standby needs at least the primary's (the sandbox's 300)
      max_connections: '300',
      fsync: 'off',
      // a standby must not archive what the primary archives
      archive_mode: 'off',
      wal_receiver_status_interval: '1s',
    };
    let log = '';
    // the binaries the postgres user can reach (a cache copy when the package's folder is closed to it)
    const bins = await sandboxBinaries(ids);
    server = spawn(
      bins.postgres,
      ['-D', dataDir, '-p', String(port), ...Object.entries(flags).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
      { ...(ids ?? {}), env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server.stderr?.on('data', (c: Buffer) => {
      log = (log + c.toString()).slice(-4000);
    });
    watchdog = startWatchdog(process.pid, server.pid!, dir);
    const url = (database: string) =>
      `postgresql://${primary.user}:${primary.password}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    await waitUntil(
      'the standby to accept connections',
      async () => {
        if (server!.exitCode !== null)
          throw new Error(`the standby exited: ${log.trim().split('\n').slice(-12).join(' | ')}`);
        return canConnect(url('postgres'));
      },
      30_000,
      50,
    );
    await waitUntil(
      'the primary to list the standby as streaming',
      async () =>
        (
          await query<{ n: number }>(
            primary.url('postgres'),
            `SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming' AND application_name = '${standbyName}'`,
          )
        )[0]!.n === 1,
      30_000,
      50,
    );
    const replicated: Replicated = {
      primary,
      standbyName,
      standbyPort: port,
      standbyUrl: url,
      pauseReplay: async () => {
        await query(url('postgres'), 'SELECT pg_wal_replay_pause()');
        await waitUntil('replay to pause', async () => {
          const [r] = await query<{ s: string }>(url('postgres'), 'SELECT pg_get_wal_replay_pause_state() AS s');
          return r!.s === 'paused';
        });
      },
      resumeReplay: async () => void (await query(url('postgres'), 'SELECT pg_wal_replay_resume()')),
      waitCaughtUp: async (timeoutMs = 20_000) => {
        const [{ lsn }] = (await query<{ lsn: string }>(
          primary.url('postgres'),
          'SELECT pg_current_wal_lsn()::text AS lsn',
        )) as [{ lsn: string }];
        await waitUntil(
          'the standby to replay what the primary wrote',
          async () =>
            (
              await query<{ ok: boolean }>(url('postgres'), `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS ok`)
            )[0]!.ok,
          timeoutMs,
          50,
        );
      },
      stop: cleanup,
    };
    return replicated;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** If the test process dies (kill -9 of a worker), the standby is stopped and its folder removed all the same. */
function startWatchdog(parentPid: number, serverPid: number, dir: string): ChildProcess {
  const script = [
    'while kill -0 "$1" 2>/dev/null; do sleep 1; done',
    'kill -QUIT "$2" 2>/dev/null',
    'sleep 2',
    'kill -KILL "$2" 2>/dev/null',
    'rm -rf "$3"',
  ].join('\n');
  const child = spawn('sh', ['-c', script, 'cm-standby-watchdog', String(parentPid), String(serverPid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child;
}
