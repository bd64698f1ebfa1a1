import { statSync } from 'node:fs';
import path from 'node:path';
import type { Target } from '../postgres/target.js';
import type { Journal } from '../journal/journal.js';
import { UserError } from '../errors.js';
import { ManifestError, type RunbookManifest } from '../runbook/manifest.js';
import { loadManifest } from '../runbook/loadManifest.js';
import type { ChecklistInputs } from './checklist.js';
import type { DiscoveredSchema } from '../tools/prisma.js';
import type { Project } from '../project/discover.js';

/** Where a checklist's inputs come from: the CLI's Context, or the console's workspace. */
export interface RunbookSource {
  runbookFile(): string | undefined;
  target(): Target;
  migrationsDir(): string;
  journal(): Promise<Journal>;
  project(): Project;
}

/** The runbook manifest of this context, or undefined for a plain Prisma folder. */
export async function contextManifest(ctx: Pick<RunbookSource, 'runbookFile'>): Promise<RunbookManifest | undefined> {
  const file = ctx.runbookFile();
  if (!file) return undefined;
  try {
    return await loadManifest(file);
  } catch (err) {
    if (err instanceof ManifestError) throw new UserError(`${err.message}: fix the runbook manifest.`, 'bad-input');
    throw err;
  }
}

/** What runChecklist needs, from the CLI context (the console can call this too). */
export async function checklistInputs(ctx: RunbookSource, backupDir: string): Promise<ChecklistInputs> {
  return {
    target: ctx.target(),
    migrationsDir: ctx.migrationsDir(),
    prismaSchema: discoveredSchema(ctx),
    manifest: await contextManifest(ctx),
    backupDir,
    journalFile: (await ctx.journal()).file,
  };
}

/** The schema discovery found, when its migrations folder is the one in use (not another given by --migrations). */
function discoveredSchema(ctx: Pick<RunbookSource, 'project'>): DiscoveredSchema | undefined {
  const p = ctx.project();
  if (!p.schema) return undefined;
  // --migrations naming the schema's own folder (prisma/migrations, or the config's) keeps the schema
  const own =
    p.config?.migrations ??
    path.join(statSync(p.schema).isDirectory() ? p.schema : path.dirname(p.schema), 'migrations');
  if (
    (p.migrationsFrom === '--migrations' || p.migrationsFrom === '--runbook') &&
    path.resolve(p.migrationsDir) !== path.resolve(own)
  )
    return undefined;
  const vars = [p.datasource?.directUrl, p.datasource?.url, p.config?.directUrl, p.config?.url].flatMap((u) =>
    u && 'env' in u ? [u.env] : [],
  );
  return { schema: p.schema, root: p.cwd, urlVariables: vars };
}
