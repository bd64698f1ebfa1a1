import os from 'node:os';
import path from 'node:path';

/**
 * Where backups go unless --backup-dir says otherwise: outside the project (a dump of production
 * inside a git working tree is one `git add .` from being pushed), in the user's data folder.
 */
export function defaultBackupDir(): string {
  const data = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(data, 'citadel-migrate', 'backups');
}

/** How --help names the default backup folder. */
export const DEFAULT_BACKUP_DIR_TEXT =
  '$XDG_DATA_HOME/citadel-migrate/backups, else ~/.local/share/citadel-migrate/backups';

/**
 * Defaults that more than one front end shows or uses, written once. The engine's lock policy
 * keeps its own defaults beside the engine (engine/lockPolicy.ts), since only the engine uses them.
 */
export const DEFAULTS = {
  /** Where backups are written and where the checklist looks for them (read when used: the environment may change). */
  get backupDir(): string {
    return defaultBackupDir();
  },
};
