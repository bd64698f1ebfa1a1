// An initialised cluster kept once per machine, in the user's cache folder (0700): initdb was most
// of a rehearsal's scratch start. Each sandbox copies the template's data folder, then sets a
// password of its own in single-user mode before the server listens, so that no hash from the
// template (made with a password nobody kept) or from an earlier sandbox survives in a copy.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fs, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { makeFolders } from '../folders.js';
import { registerSecret } from '../postgres/secrets.js';
import { UserError } from '../errors.js';
import type { PgBinaries } from './binaries.js';
import { initCluster, type ServerIds } from './server.js';

const MARKER = '.complete';

/** $XDG_CACHE_HOME/citadel-migrate/clusters, else ~/.cache/citadel-migrate/clusters. */
export function templateBase(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'citadel-migrate', 'clusters');
}

/** One template per PostgreSQL version and initdb options: another version never reads this one's catalog. */
function templateKey(bins: PgBinaries, user: string, flags: string[]): string {
  const version =
    spawnSync(bins.postgres, ['--version'], { encoding: 'utf8' }).stdout?.match(/\d+(\.\d+)*/)?.[0] ?? 'unknown';
  const options = createHash('sha256')
    .update(JSON.stringify([user, flags]))
    .digest('hex')
    .slice(0, 10);
  return `pg-${version}-${options}`;
}

/** A folder only we may enter: anything else could hold a cluster someone else prepared. */
function private_(dir: string): boolean {
  const st = statSync(dir, { throwIfNoEntry: false });
  return Boolean(st?.isDirectory() && st.uid === process.getuid?.() && !(st.mode & 0o077));
}

async function ensureTemplate(
  bins: PgBinaries,
  o: { user: string; ids?: ServerIds; flags: string[]; onLog?: (line: string) => void },
): Promise<string> {
  const base = templateBase();
  makeFolders(base, 0o700);
  if (!private_(base)) throw new Error(`${base} is not a private folder of this user`);
  const dir = path.join(base, templateKey(bins, o.user, o.flags));
  if (private_(dir) && existsSync(path.join(dir, MARKER))) return path.join(dir, 'data');
  // Made under a temporary name and renamed when complete: a template cut short is never used.
  const tmp = path.join(base, `.${path.basename(dir)}.${randomBytes(4).toString('hex')}`);
  // initdb runs as the server's user, who cannot enter our cache folder: it runs in a folder of
  // the temporary area, and the result is copied in.
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'citadel-template-'));
  try {
    await fs.chmod(work, 0o755);
    const built = path.join(work, 'data');
    await fs.mkdir(built, { mode: 0o700 });
    if (o.ids) await fs.chown(built, o.ids.uid, o.ids.gid);
    const throwaway = randomBytes(16).toString('hex');
    registerSecret(throwaway);
    await initCluster(bins, {
      dir: work,
      dataDir: built,
      user: o.user,
      password: throwaway,
      ids: o.ids,
      flags: o.flags,
      onLog: o.onLog,
    });
    await fs.mkdir(tmp, { mode: 0o700 });
    await execa('cp', ['-a', built, path.join(tmp, 'data')], { stdin: 'ignore' });
    await fs.writeFile(path.join(tmp, MARKER), `${new Date().toISOString()} initdb ${bins.initdb}\n`, { mode: 0o600 });
    try {
      await fs.rename(tmp, dir);
    } catch (err) {
      // another process finished the same template first: use theirs if it is sound
      if (!(private_(dir) && existsSync(path.join(dir, MARKER)))) throw err;
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    await fs.rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
  return path.join(dir, 'data');
}

/** Sets the superuser's password with the server not listening: the statement travels on stdin. */
async function setPassword(
  bins: PgBinaries,
  o: { dataDir: string; user: string; password: string; ids?: ServerIds },
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      bins.postgres,
      ['--single', '-D', o.dataDir, '-c', 'fsync=off', '-c', 'log_min_messages=fatal', 'postgres'],
      {
        ...(o.ids ?? {}),
        env: { ...process.env, LC_MESSAGES: 'C' },
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && !/ERROR|FATAL/.test(stderr)) resolve();
      else
        reject(
          new UserError(
            `The embedded PostgreSQL could not set its password (exit ${code}): ${stderr.trim().split('\n').slice(-2).join(' | ') || 'no message'}.`,
            'failed',
          ),
        );
    });
    // the password is hex: nothing in it needs quoting
    child.stdin?.end(`ALTER ROLE ${o.user} PASSWORD '${o.password}';\n`);
  });
}

/**
 * Fills dataDir (which must not exist) with a cluster whose superuser has PASSWORD: a copy of the
 * template when one can be kept, else a fresh initdb (a cache folder we cannot use costs time only).
 */
export async function clusterFromTemplate(
  bins: PgBinaries,
  o: {
    dir: string;
    dataDir: string;
    user: string;
    password: string;
    ids?: ServerIds;
    flags: string[];
    onLog?: (line: string) => void;
    useTemplate: boolean;
  },
): Promise<'template' | 'initdb'> {
  let template: string | undefined;
  try {
    if (o.useTemplate) template = await ensureTemplate(bins, o);
  } catch (err) {
    o.onLog?.(`no cluster template (${(err as Error).message}): initdb\n`);
  }
  if (template) {
    // cp -a keeps the files' owner (the postgres user when we are root) and modes (0700)
    const cp = await execa('cp', ['-a', template, o.dataDir], { reject: false, stdin: 'ignore' });
    if (cp.exitCode === 0) {
      await setPassword(bins, o);
      return 'template';
    }
    o.onLog?.(`copying the cluster template failed (${String(cp.stderr).trim()}): initdb\n`);
    await fs.rm(o.dataDir, { recursive: true, force: true });
  }
  await fs.mkdir(o.dataDir, { mode: 0o700 });
  if (o.ids) await fs.chown(o.dataDir, o.ids.uid, o.ids.gid);
  await initCluster(bins, o);
  return 'initdb';
}
