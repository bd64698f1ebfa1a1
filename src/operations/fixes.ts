// Where plan --apply-fixes may write: a project's own migrations folder. The bundled runbook is
// part of the package (on a global install, the installed package): its fixes go to a copy in the
// working folder, which the DBA then names with --migrations (issue 26).
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { rebaseFixSet, type FixSet } from '../analysis/apply.js';
import type { Workspace } from './workspace.js';

export const BUNDLED_COPY = 'citadelbuy-migrations';

/** Where the fixes will be written, said before the question: the folder itself, or the copy to be made. */
export function fixDestination(ws: Workspace): { dir: string; copy: boolean } {
  const project = ws.project();
  if (!project.bundled) return { dir: ws.migrationsDir(), copy: false };
  const dir = path.join(project.cwd, BUNDLED_COPY);
  if (existsSync(dir)) {
    throw new UserError(
      `The bundled runbook is never changed, and its copy ${dir} exists already: pass --migrations ${BUNDLED_COPY} to fix that copy, or move it away.`,
      'bad-input',
    );
  }
  return { dir, copy: true };
}

/** Makes the copy when one is needed, and aims the fixes at it. */
export function prepareFixes(ws: Workspace, fixes: FixSet): FixSet {
  const dest = fixDestination(ws);
  if (!dest.copy) return fixes;
  cpSync(fixes.dir, dest.dir, { recursive: true, errorOnExist: true, force: false });
  return rebaseFixSet(fixes, dest.dir);
}
