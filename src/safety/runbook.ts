import type { Target } from '../postgres/target.js';
import type { Journal } from '../journal/journal.js';
import { UserError } from '../errors.js';
import { loadManifest, ManifestError, type RunbookManifest } from '../runbook/manifest.js';
import type { ChecklistInputs } from './checklist.js';

/** Where a checklist's inputs come from: the CLI's Context, or the console's workspace. */
export interface RunbookSource {
  runbookFile(): string | undefined;
  target(): Target;
  migrationsDir(): string;
  journal(): Journal;
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
    manifest: await contextManifest(ctx),
    backupDir,
    journalFile: ctx.journal().file,
  };
}
