// initdb and postgres for the sandbox, spawned from binaries the server's user can reach (see
// binaries.ts). Every way a spawn can fail (EACCES, ENOENT, an early exit) becomes one sentence,
// never an unhandled 'error' event.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { PgBinaries } from './binaries.js';

export interface ServerIds {
  uid: number;
  gid: number;
}

// English server messages: readiness is told by "ready to accept connections".
const env = () => ({ ...process.env, LC_MESSAGES: 'C' });

function spawnFailure(what: string, binary: string, err: NodeJS.ErrnoException): UserError {
  const why =
    err.code === 'EACCES'
      ? 'permission denied: the user the server runs as cannot reach it'
      : err.code === 'ENOENT'
        ? 'it does not exist (run npm install again)'
        : (err.code ?? err.message);
  return new UserError(`The embedded PostgreSQL ${what} cannot be started from ${binary} (${why}).`, 'failed');
}

const lastLines = (text: string) => text.trim().split('\n').slice(-3).join(' | ');

/** initdb into dataDir (owned by the server's user), with the superuser's password from a private file. */
export async function initCluster(
  bins: PgBinaries,
  o: {
    dir: string;
    dataDir: string;
    user: string;
    password: string;
    ids?: ServerIds;
    flags: string[];
    onLog?: (line: string) => void;
  },
): Promise<void> {
  // The password travels in a file only its reader may open, never on a command line.
  const pwfile = path.join(o.dir, 'pwfile');
  await fs.writeFile(pwfile, `${o.password}\n`, { mode: 0o600 });
  if (o.ids) await fs.chown(pwfile, o.ids.uid, o.ids.gid);
  try {
    await new Promise<void>((resolve, reject) => {
      const args = [
        `--pgdata=${o.dataDir}`,
        '--auth=scram-sha-256',
        `--username=${o.user}`,
        `--pwfile=${pwfile}`,
        '--lc-messages=C',
        ...o.flags,
      ];
      const child = spawn(bins.initdb, args, { ...(o.ids ?? {}), env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stdout?.on('data', (c: Buffer) => o.onLog?.(c.toString()));
      child.stderr?.on('data', (c: Buffer) => {
        stderr += c.toString();
        o.onLog?.(c.toString());
      });
      child.on('error', (err) => reject(spawnFailure('initdb', bins.initdb, err)));
      child.on('close', (code, signal) => {
        if (code === 0) resolve();
        else
          reject(
            new UserError(
              `initdb of the embedded PostgreSQL failed (${signal ?? `exit ${code}`}): ${lastLines(stderr) || 'no message'}.`,
              'failed',
            ),
          );
      });
    });
  } finally {
    await fs.rm(pwfile, { force: true });
  }
}

export interface RunningServer {
  process: ChildProcess;
  /**
   * Fast shutdown (SIGINT: sessions are cut, a checkpoint written), resolved when the server has
   * exited; `immediate` (SIGQUIT) skips the checkpoint, for a data directory removed right after.
   */
  stop(how?: 'fast' | 'immediate'): Promise<void>;
}

/** Starts postgres on dataDir; resolves once it accepts connections. */
export function startServer(
  bins: PgBinaries,
  o: { dataDir: string; port: number; ids?: ServerIds; flags: string[]; onLog?: (line: string) => void },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(bins.postgres, ['-D', o.dataDir, '-p', String(o.port), ...o.flags], {
      ...(o.ids ?? {}),
      env: env(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    let ready = false;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.stderr?.on('data', (c: Buffer) => {
      const text = c.toString();
      o.onLog?.(text);
      if (ready) return;
      log = (log + text).slice(-4000);
      if (log.includes('database system is ready to accept connections')) {
        ready = true;
        resolve({
          process: child,
          stop: async (how = 'fast') => {
            if (child.exitCode === null && child.signalCode === null)
              child.kill(how === 'immediate' ? 'SIGQUIT' : 'SIGINT');
            await exited;
          },
        });
      }
    });
    child.on('error', (err) => reject(spawnFailure('server', bins.postgres, err)));
    child.on('close', (code, signal) => {
      if (!ready)
        reject(
          new UserError(
            `The embedded PostgreSQL server did not start (${signal ?? `exit ${code}`}): ${lastLines(log) || 'no message'}.`,
            'failed',
          ),
        );
    });
  });
}
