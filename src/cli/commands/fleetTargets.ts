import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { printErr } from '../output.js';
import { readTargetsFile, targetsFromQuery, type TargetList } from '../../operations/fleet.js';

/** --targets FILE or --targets-sql QUERY on --database-url; the warnings about passwords are said here. */
export async function loadTargets(ctx: Context, opts: Record<string, unknown>): Promise<TargetList> {
  const file = opts.targets as string | undefined;
  const sql = opts.targetsSql as string | undefined;
  if (file && sql) throw usageError('Pass --targets or --targets-sql, not both.');
  if (!file && !sql)
    throw usageError(
      'No targets: pass --targets FILE (one database URL per line) or --targets-sql "select url from tenants" --database-url CONTROL.',
    );
  if (sql && !ctx.opts.databaseUrl && !process.env.DATABASE_URL)
    throw usageError(
      '--targets-sql needs the control database that answers it: pass --database-url (or set DATABASE_URL).',
    );
  const list = file
    ? readTargetsFile(file)
    : await targetsFromQuery(ctx.opts.databaseUrl ?? process.env.DATABASE_URL, sql!);
  for (const w of list.warnings) printErr(`Warning: ${w}`);
  return list;
}

export function migrationsDir(ctx: Context): string {
  if (!ctx.opts.migrations)
    throw usageError('A fleet needs its migrations folder: pass --migrations DIR (the prisma/migrations folder).');
  return ctx.opts.migrations;
}
