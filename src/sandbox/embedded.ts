import { promises as fs, rmSync } from 'node:fs';
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { registerSecret } from '../postgres/secrets.js';
import { UserError } from '../errors.js';
import { sandboxBinaries } from './binaries.js';
import { startServer, type RunningServer } from './server.js';
import { clusterFromTemplate } from './template.js';

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
  /** Where the cluster came from: a copy of the machine's template, or initdb (no usable cache folder). */
  cluster: 'template' | 'initdb';
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  /**
   * Immediate shutdown (no checkpoint: the folder is removed with it). removeInBackground: by a
   * detached rm that outlives this process (the demo's prompt does not wait for it).
   */
  stop(how?: { removeInBackground?: boolean }): Promise<void>;
  /** Stops the server (fast shutdown: sessions are cut) and starts it again on the same data. */
  restart(): Promise<void>;
}

export interface SandboxOptions {
  /** Extra server settings, e.g. { max_connections: '300' }. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
  /** The first port to try (else a free one); taken by the time the server binds it, another is used. */
  port?: number;
  /**
   * A copy of the machine's cluster template instead of initdb (seconds faster). Every copy has the
   * template's system_identifier, which is how journals and the destructive-step check tell servers
   * apart: only a throwaway server nothing journals against (a rehearsal's) may share it.
   */
  fromTemplate?: boolean;
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

/** PostgreSQL refuses to run as root: the cluster belongs to the `postgres` user, created when missing. */
function ensurePostgresUser(): { uid: number; gid: number } {
  const ids = postgresIds();
  if (ids) return ids;
  try {
    execFileSync('groupadd', ['postgres'], { stdio: 'ignore' });
  } catch {
    // the group may exist without the user
  }
  try {
    execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
  } catch (err) {
    throw new UserError(
      `The embedded PostgreSQL cannot run as root and there is no postgres user to run it as (useradd failed: ${(err as Error).message.split('\n')[0]}): create one with useradd postgres.`,
      'failed',
    );
  }
  const created = postgresIds();
  if (!created)
    throw new UserError(
      'The embedded PostgreSQL cannot run as root and the postgres user could not be created: create one with useradd postgres.',
      'failed',
    );
  return created;
}

/**
 * The first folder on the way to `dir` that the server's user cannot enter (the execute bit that
 * applies to it), or undefined. As root the server runs as another user, whom a private TMPDIR
 * (0700) keeps out: initdb would fail on its password file with only "Permission denied".
 */
export async function unenterable(dir: string, ids: { uid: number; gid: number }): Promise<string | undefined> {
  const chain: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    chain.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of chain) {
    const st = await fs.stat(d);
    const bit = st.uid === ids.uid ? 0o100 : st.gid === ids.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return d;
  }
  return undefined;
}

/**
 * Starts the server. These machines run as root, so the cluster is owned by the `postgres` user,
 * and the binaries are run from where that user can reach them (a cache copy when needed).
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const t0 = performance.now();
  const isRoot = process.getuid?.() === 0;
  const ids = isRoot ? ensurePostgresUser() : undefined;
  const bins = await sandboxBinaries(ids);
  const closed = ids ? await unenterable(os.tmpdir(), ids).catch(() => undefined) : undefined;
  if (closed)
    throw new UserError(
      `The embedded PostgreSQL runs as the postgres user, who cannot enter ${closed} on the way to the ` +
        `temporary folder ${os.tmpdir()} (TMPDIR): set TMPDIR to a folder every user can enter, such as /tmp.`,
      'bad-input',
    );
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citadel-sandbox-'));
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  await fs.mkdir(socketDir);
  // The server process must reach its socket folder through ours.
  await fs.chmod(dir, 0o755);
  if (ids) await fs.chown(socketDir, ids.uid, ids.gid);
  let port = opts.port ?? (await freePort());
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
  const flags = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const onLog = opts.onLog;
  const cleanupDir = () => rmSync(dir, { recursive: true, force: true });
  let server: RunningServer | undefined;
  let cluster: Sandbox['cluster'] = 'initdb';
  try {
    // 1 MB WAL segments: each sandbox copies the template, and a 16 MB segment was 40% of it.
    cluster = await clusterFromTemplate(bins, {
      dir,
      dataDir,
      user: 'postgres',
      password,
      ids,
      flags: ['--encoding=UTF8', '--no-sync', '--wal-segsize=1'],
      onLog,
      useTemplate: opts.fromTemplate ?? false,
    });
    // The port was free when asked for, but another sandbox starting at the same moment may take it
    // before this server binds it: then the server is started again on another free port.
    for (let attempt = 1; ; attempt++) {
      try {
        server = await startServer(bins, { dataDir, port, ids, flags, onLog });
        break;
      } catch (err) {
        if (
          attempt >= 5 ||
          !/Address already in use|could not create any TCP\/IP sockets/i.test((err as Error).message)
        )
          throw err;
        port = await freePort();
      }
    }
  } catch (err) {
    await server?.stop().catch(() => undefined);
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
  const stop = async (how: { removeInBackground?: boolean } = {}) => {
    if (stopped) return;
    stopped = true;
    // The data directory is removed next: the shutdown checkpoint (most of a second after the
    // demo's load, the wait between q and the prompt) would be written for nothing.
    await server?.stop('immediate').catch(() => undefined);
    if (how.removeInBackground) removeInBackground(dir);
    else cleanupDir();
    watchdog?.kill('SIGKILL');
  };
  const restart = async () => {
    await server?.stop();
    server = await startServer(bins, { dataDir, port, ids, flags, onLog });
    await guard();
  };
  const url = (database: string) =>
    `postgresql://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
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
    cluster,
    url,
    createDatabase: (name) => admin(async (c) => void (await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`))),
    dropDatabase: (name) =>
      admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`))),
    stop,
    restart,
  };
}

/** rm -rf in a process of its own: a cluster's thousand files took a third of a second on a busy host. */
export function removeInBackground(dir: string): void {
  try {
    spawn('rm', ['-rf', '--', dir], { detached: true, stdio: 'ignore' }).unref();
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
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
