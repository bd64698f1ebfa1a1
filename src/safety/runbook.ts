import type { Context } from '../cli/context.js';
import { UserError } from '../errors.js';
import { loadManifest, ManifestError, type RunbookManifest } from '../runbook/manifest.js';
import type { ChecklistInputs } from './checklist.js';

/** The runbook manifest of this context, or undefined for a plain Prisma folder. */
export async function contextManifest(ctx: Context): Promise<RunbookManifest | undefined> {
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
export async function checklistInputs(ctx: Context, backupDir: string): Promise<ChecklistInputs> {
  return {
    target: ctx.target(),
    migrationsDir: ctx.migrationsDir(),
    manifest: await contextManifest(ctx),
    backupDir,
    journalFile: ctx.journal().file,
  };
}
