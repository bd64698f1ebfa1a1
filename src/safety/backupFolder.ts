// The folder backups are written to. A dump holds every row of the database, so the folder must be
// ours alone: a folder others can write to lets them swap a dump for their own before a restore,
// and a symlink can point it anywhere. Every problem is one sentence about the folder.
import { promises as fs, constants, type Stats } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { makeFolders, fileErrorWords } from '../folders.js';

export interface BackupFolderOptions {
  /** --allow-unsafe-backup-dir: accept a folder others can write to, or a symlink (with a warning). */
  allowUnsafe?: boolean;
}

/** "1777" and "drwxrwxrwt": the mode as chmod and ls show it, special bits included. */
export function describeMode(st: Pick<Stats, 'mode'>): { octal: string; ls: string } {
  const m = st.mode;
  const rwx = (shift: number, special: boolean, ch: string) => {
    const r = m & (4 << shift) ? 'r' : '-';
    const w = m & (2 << shift) ? 'w' : '-';
    const x = m & (1 << shift);
    const last = special ? (x ? ch : ch.toUpperCase()) : x ? 'x' : '-';
    return r + w + last;
  };
  const type = (m & 0o170000) === 0o040000 ? 'd' : (m & 0o170000) === 0o120000 ? 'l' : '-';
  const ls =
    type + rwx(6, Boolean(m & 0o4000), 's') + rwx(3, Boolean(m & 0o2000), 's') + rwx(0, Boolean(m & 0o1000), 't');
  return { octal: (m & 0o7777).toString(8).padStart(3, '0'), ls };
}

const cannot = (dir: string, err: unknown) =>
  new UserError(
    `The backup folder ${dir} cannot be created or written (${fileErrorWords(err)}): pass --backup-dir with a folder you can write to.`,
    'bad-input',
  );

/**
 * Makes sure DIR is a private folder we may write in: creates it 0700 when missing; refuses a file,
 * a symlink or a folder others can write to (unless allowed). Returns warnings for the DBA.
 */
export async function prepareBackupFolder(dirGiven: string, opts: BackupFolderOptions = {}): Promise<string[]> {
  const dir = path.resolve(dirGiven);
  const warnings: string[] = [];
  let st = await fs.lstat(dir).catch(() => undefined);
  if (!st) {
    try {
      makeFolders(dir);
    } catch (err) {
      throw cannot(dir, err);
    }
    st = await fs.lstat(dir).catch(() => undefined);
    if (!st) throw cannot(dir, Object.assign(new Error('gone'), { code: 'ENOENT' }));
  }
  if (st.isSymbolicLink()) {
    const real = await fs.realpath(dir).catch(() => '(a missing target)');
    if (!opts.allowUnsafe) {
      throw new UserError(
        `The backup folder ${dir} is a symlink to ${real}: pass --backup-dir ${real} itself, or --allow-unsafe-backup-dir if you trust the link.`,
        'refused',
      );
    }
    warnings.push(`the backup folder ${dir} is a symlink to ${real}`);
    try {
      st = await fs.stat(dir);
    } catch (err) {
      throw cannot(dir, err);
    }
  }
  if (!st.isDirectory())
    throw new UserError(`The backup folder ${dir} is a file: pass --backup-dir with a folder.`, 'bad-input');
  const mode = describeMode(st);
  if (st.mode & 0o002) {
    if (!opts.allowUnsafe) {
      throw new UserError(
        `The backup folder ${dir} can be written by every user (mode ${mode.octal}, ${mode.ls}), who could replace a backup before it is restored: chmod 700 it or pass another --backup-dir (--allow-unsafe-backup-dir to use it anyway).`,
        'refused',
      );
    }
    warnings.push(`the backup folder ${dir} can be written by every user (mode ${mode.octal}, ${mode.ls})`);
  } else if (st.mode & 0o077) {
    warnings.push(`the backup folder ${dir} is open to other users (mode ${mode.octal}, ${mode.ls}): chmod 700 it`);
  }
  try {
    await fs.access(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw cannot(dir, err);
  }
  return warnings;
}

/** The sentence for a failure to create the dump file itself in a folder that looked writable. */
export function backupFolderError(dir: string, err: unknown): UserError {
  return cannot(path.resolve(dir), err);
}
