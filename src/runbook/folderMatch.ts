// The wrong folder: a migrations folder that is not this database's. Prisma would apply its
// pending migrations anyway (it compares names only); a DBA pointed at the wrong project, or left
// on the bundled demo runbook, would then write another application's schema into production.
import path from 'node:path';
import type { HistoryRow } from './history.js';
import { compareMigrationNames, type MigrationsFolder } from './folder.js';
import { UserError } from '../errors.js';

export const FOREIGN_HISTORY_FLAG = '--allow-foreign-history';

export interface FolderMismatch {
  /** One sentence: the folder, the counts, the newest applied migration and the override. */
  message: string;
  applied: number;
  missingLocally: number;
  inFolder: number;
  newestApplied: string;
  /** Folder migrations the database never saw that sort before its newest applied one. */
  olderPending: number;
}

/**
 * Undefined when the folder plausibly belongs to this database. It does not when the database has
 * applied migrations and the folder holds none of them, or when the folder would apply migrations
 * older than the newest applied one while most of the database's history is absent from the folder.
 */
export function folderMismatch(
  folder: MigrationsFolder,
  rows: HistoryRow[],
  cwd = process.cwd(),
): FolderMismatch | undefined {
  const applied = new Set(
    rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => r.migration_name),
  );
  if (!applied.size) return undefined;
  const local = new Set(folder.migrations.map((m) => m.name));
  const seen = new Set(rows.map((r) => r.migration_name));
  const missing = [...applied].filter((n) => !local.has(n)).length;
  const newest = [...applied].sort(compareMigrationNames).pop()!;
  const olderPending = folder.migrations.filter(
    (m) => !seen.has(m.name) && compareMigrationNames(m.name, newest) < 0,
  ).length;
  const noneInCommon = missing === applied.size;
  const mostlyForeign = olderPending > 0 && missing * 2 > applied.size;
  if (!noneInCommon && !mostlyForeign) return undefined;
  const where = path.relative(cwd, folder.dir) || folder.dir;
  const shown = where.startsWith('..') ? folder.dir : where;
  const what = noneInCommon
    ? `none of the database's ${applied.size} applied migrations (newest ${newest}) is among the ${folder.migrations.length} in ${shown}`
    : `${missing} of the database's ${applied.size} applied migrations (newest ${newest}) are missing from ${shown}, whose ${folder.migrations.length} migrations include ${olderPending} older one${olderPending === 1 ? '' : 's'} the database never had`;
  return {
    message: `This is not the database's migrations folder: ${what}; run in the project's folder or pass --schema/--migrations for the right one, or pass ${FOREIGN_HISTORY_FLAG} if you mean to apply this folder anyway.`,
    applied: applied.size,
    missingLocally: missing,
    inFolder: folder.migrations.length,
    newestApplied: newest,
    olderPending,
  };
}

/** The engine's guard, before any lock: refuses unless the override was given. */
export function refuseForeignFolder(folder: MigrationsFolder, rows: HistoryRow[], allow: boolean | undefined): void {
  if (allow) return;
  const m = folderMismatch(folder, rows);
  if (m) throw new UserError(m.message, 'refused');
}
