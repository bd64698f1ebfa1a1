// Making the folders we keep files in (journal, backups, caches, downloads). fs.mkdir's own
// recursive mode loops forever, at full CPU and deaf to signals, on /proc, where mkdir fails with
// ENOENT for a parent that exists: here each missing folder is made once, and a failure is final.
import { lstatSync, statSync, mkdirSync, chmodSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError, fileErrorWords } from './errors.js';
export { fileErrorWords, isFileSystemError } from './errors.js';

/**
 * Creates DIR and its missing parents one by one with MODE (chmod'ed, whatever the umask), and
 * returns the folders it made. A folder another process made first (EEXIST) is not ours to chmod;
 * the caller checks it as any existing one. Throws the file system's error (ENOTDIR for a file).
 */
export function makeFolders(dir: string, mode = 0o700): string[] {
  const missing: string[] = [];
  let cur = path.resolve(dir);
  for (;;) {
    const st = lstatOrUndefined(cur);
    if (st) {
      const isDir = st.isDirectory() || (st.isSymbolicLink() && statOrUndefined(cur)?.isDirectory());
      if (!isDir) throw Object.assign(new Error(`${cur} is not a folder`), { code: 'ENOTDIR', path: cur });
      break;
    }
    missing.unshift(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  const made: string[] = [];
  for (const d of missing) {
    try {
      mkdirSync(d, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    chmodSync(d, mode);
    made.push(d);
  }
  return made;
}

function lstatOrUndefined(p: string) {
  try {
    return lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function statOrUndefined(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/**
 * A private folder for a command's temporary files, in TMPDIR (or /tmp): one sentence naming
 * TMPDIR when it cannot be used, instead of the system call's error.
 */
export async function scratchFolder(prefix: string): Promise<string> {
  const base = os.tmpdir();
  try {
    return await fs.mkdtemp(path.join(base, prefix));
  } catch (err) {
    const words =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'it does not exist, or cannot hold folders'
        : fileErrorWords(err);
    throw new UserError(
      `The temporary folder ${base} cannot be used (${words}): set TMPDIR to a folder you can write to.`,
      'bad-input',
    );
  }
}
