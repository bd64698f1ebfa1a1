import {
  statSync,
  lstatSync,
  readdirSync,
  realpathSync,
  readFileSync,
  accessSync,
  constants as fsc,
  type Dirent,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { checksum } from './checksum.js';
import { UserError } from '../errors.js';
import { invalidUtf8At, notUtf8 } from './scriptBytes.js';

/** One Prisma migration folder as found on disk. */
export interface LocalMigration {
  name: string;
  dir: string;
  sqlPath: string;
  /** Bytes of migration.sql exactly as on disk (the checksum is over bytes, not text). */
  bytes: Buffer;
  sql: string;
  checksum: string;
  downPath?: string;
}

export interface MigrationsFolder {
  dir: string;
  migrations: LocalMigration[];
}

/**
 * Larger scripts are refused when the folder is read. Scripts up to this size are read (so `status` and
 * the checksums work for a large data migration Prisma applied long ago); running one is limited further
 * by the splitter (MAX_SPLIT_BYTES in engine/split.ts).
 */
export const MAX_SCRIPT_BYTES = 256 * 1024 * 1024;

/**
 * Reads a migrations folder the way Prisma does: each sub-folder is a migration holding
 * migration.sql, applied in Prisma's folder-name order (compareMigrationNames); plain files (migration_lock.toml, runbook.yaml) are ignored.
 */
export async function readMigrationsFolder(dir: string): Promise<MigrationsFolder> {
  const root = path.resolve(dir);
  let entries: Dirent[];
  try {
    const st = statSync(root);
    if (!st.isDirectory())
      throw new UserError(
        `The migrations path ${dir} is a file, not a folder: pass the folder that holds one sub-folder per migration.`,
      );
    entries = readdirSync(root, { withFileTypes: true });
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new UserError(
        `The migrations folder ${dir} does not exist: pass --migrations with the folder that holds your Prisma migrations (prisma/migrations).`,
      );
    if (code === 'EACCES')
      throw new UserError(`The migrations folder ${dir} cannot be read (permission denied): check its permissions.`);
    throw new UserError(`The migrations folder ${dir} cannot be read: ${(err as Error).message}.`);
  }
  const realRoot = realpathSync(root);
  const seenLower = new Map<string, string>();
  const migrations: LocalMigration[] = [];

  for (const entry of entries) {
    const name = entry.name;
    const full = path.join(root, name);
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      const real = realpathOrUndefined(full);
      if (!real)
        throw new UserError(
          `The migration folder "${name}" is a broken symbolic link: remove it or point it at a folder inside ${dir}.`,
        );
      if (!isInside(realRoot, real)) {
        throw new UserError(
          `The migration "${name}" is a symbolic link to ${real}, outside the migrations folder: copy the migration into ${dir} instead.`,
        );
      }
      isDir = statSync(real).isDirectory();
    }
    // Prisma takes every sub-folder, hidden ones ("..20250105_x") included.
    if (!isDir) continue;
    if (name.includes('\uFFFD') || !isPrintable(name)) {
      throw new UserError(
        `The migration folder name ${JSON.stringify(name)} is not valid UTF-8 text or has control characters: rename the folder.`,
      );
    }
    const lower = name.toLowerCase();
    const twin = seenLower.get(lower);
    if (twin) {
      throw new UserError(
        `The migrations "${twin}" and "${name}" differ only in letter case, which Prisma treats as two migrations and case-insensitive file systems as one: rename one of them.`,
      );
    }
    seenLower.set(lower, name);
    migrations.push(readMigration(realRoot, full, name, entry.isSymbolicLink()));
  }
  if (migrations.length === 0) {
    throw new UserError(
      `The migrations folder ${dir} holds no migrations: each migration is a sub-folder with a migration.sql; pass the right folder with --migrations.`,
    );
  }
  migrations.sort((a, b) => compareMigrationNames(a.name, b.name));
  return { dir: root, migrations };
}

// Synchronous on purpose: a folder of a few hundred small scripts reads in a few milliseconds this
// way, against tens of milliseconds of thread-pool round trips for the same calls made async.
function readMigration(realRoot: string, dir: string, name: string, dirIsLink: boolean): LocalMigration {
  const sqlPath = path.join(dir, 'migration.sql');
  let st: Stats;
  try {
    st = lstatSync(sqlPath);
    // Only a link (the file's or its folder's) can lead outside the folder: resolve those alone.
    if (st.isSymbolicLink() || dirIsLink) {
      const real = realpathSync.native(sqlPath);
      if (!isInside(realRoot, real)) {
        throw new UserError(
          `The migration.sql of "${name}" is a link to ${real}, outside the migrations folder: copy the file in instead.`,
        );
      }
      st = statSync(sqlPath);
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(
      `The migration folder "${name}" has no migration.sql: add the script, or move the folder out of the migrations folder.`,
    );
  }
  if (!st.isFile())
    throw new UserError(`The migration.sql of "${name}" is not a regular file: replace it with the script.`);
  if (st.size > MAX_SCRIPT_BYTES) {
    throw new UserError(
      `The migration.sql of "${name}" is ${(st.size / 1048576).toFixed(0)} MB, more than the ${MAX_SCRIPT_BYTES / 1048576} MB this tool runs: load bulk data with psql or COPY instead.`,
    );
  }
  const bytes = readFileSync(sqlPath);
  // Checked here (status too): Prisma's checksum is over the text it decoded, ours over the bytes.
  const bad = invalidUtf8At(bytes);
  if (bad >= 0) throw notUtf8(`${name}/migration.sql`, bad);
  const sql = bytes.toString('utf8');
  let downPath: string | undefined = path.join(dir, 'down.sql');
  try {
    accessSync(downPath, fsc.R_OK);
  } catch {
    downPath = undefined;
  }
  return { name, dir, sqlPath, bytes, sql, checksum: checksum(bytes), downPath };
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  // "..x" is a name inside the folder; only ".." itself or "../..." leaves it
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function isPrintable(name: string): boolean {
  return !/[\u0000-\u001f\u007f]/.test(name);
}

/**
 * Prisma's order of migrations (its CLI sorts the folder names with localeCompare): "2025_x" comes
 * before "20250_x" and "1_a" before "1_B", where a byte order says otherwise. Every "before" and
 * "after" between migration names goes through this.
 */
export function compareMigrationNames(a: string, b: string): number {
  return a.localeCompare(b);
}

/** Finds a migration by exact name, else says which names exist. */
export function findMigration(folder: MigrationsFolder, name: string): LocalMigration {
  const m = folder.migrations.find((x) => x.name === name);
  if (m) return m;
  const near = folder.migrations.filter((x) => x.name.toLowerCase().includes(name.toLowerCase())).map((x) => x.name);
  const hint = near.length
    ? ` Did you mean ${near.slice(0, 3).join(', ')}?`
    : ' Run `citadel-migrate status` to list them.';
  throw new UserError(`There is no migration named "${name}" in ${folder.dir}.${hint}`, 'bad-input');
}
