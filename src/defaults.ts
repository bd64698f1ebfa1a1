/**
 * Defaults that more than one front end shows or uses, written once. The engine's lock policy
 * keeps its own defaults beside the engine (engine/lockPolicy.ts), since only the engine uses them.
 */
export const DEFAULTS = {
  /** Where backups are written and where the checklist looks for them. */
  backupDir: './backups',
} as const;
