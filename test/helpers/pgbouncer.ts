// A real PgBouncer (the Debian package) in front of the test sandbox, started per test file in a
// temporary folder and stopped by its own pid.
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { pgPassword } from './db.js';
import { notInstalled } from './tools.js';
import { execFileSync } from 'node:child_process';

export interface Bouncer {
  /** postgresql://postgres@127.0.0.1:PORT/DB through the pooler (trust auth: no password on this leg). */
  url(database: string): string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ResultPromise, log: string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null && child.exitCode !== undefined)
      throw new Error(`pgbouncer exited (${child.exitCode}); see ${log}`);
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.end();
        r(true);
      });
      c.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() - t0 > 10_000) throw new Error(`pgbouncer did not listen on ${port}; see ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `serverPort`: where the pooler's PostgreSQL is (default the sandbox's; a free port: a server that is down). */
export async function startPgBouncer(
  mode: 'transaction' | 'session' | 'statement',
  opts: { serverPort?: number } = {},
): Promise<Bouncer> {
  try {
    execFileSync('pgbouncer', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    throw notInstalled(err, 'pgbouncer', 'apt-get install pgbouncer');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-bouncer-'));
  // pgbouncer refuses to run as root; as root (CI) it drops to nobody, who must reach its files.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const log = path.join(dir, 'pgbouncer.log');
  writeFileSync(path.join(dir, 'users.txt'), '"postgres" ""\n');
  writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=127.0.0.1 port=${opts.serverPort ?? inject('pgPort')} user=postgres password=${pgPassword()}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'users.txt')}`,
      `pool_mode = ${mode}`,
      'default_pool_size = 4',
      'max_client_conn = 50',
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${log}`,
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  for (const f of ['users.txt', 'pgbouncer.ini']) chmodSync(path.join(dir, f), 0o644);
  const asRoot = process.getuid?.() === 0;
  const child = execa('pgbouncer', [...(asRoot ? ['-u', 'nobody'] : []), path.join(dir, 'pgbouncer.ini')], {
    reject: false,
    stdio: 'ignore',
  });
  await waitForPort(port, child, log);
  return {
    port,
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
