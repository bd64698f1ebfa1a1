// The bundled CitadelBuy runbook is the demo's. On a real database it is used only when asked for
// (--bundled, or --migrations/--runbook naming it): run from a monorepo's root, the fallback once
// applied CitadelBuy's migrations to the user's database (issue 26).
import { UserError } from '../errors.js';
import { schemasBelow, type SchemaBelow } from '../project/below.js';
import type { Project } from '../project/discover.js';
import type { Workspace } from './workspace.js';

const SHOWN = 5;
const NONE =
  "no schema.prisma in the three folder levels below either: run in your project's folder or pass --schema or --migrations";

function each(found: SchemaBelow[]): string {
  const listed = found.slice(0, SHOWN).map((s) => `${s.schema} (cd ${s.projectDir}, or pass --schema ${s.schema})`);
  return listed.join('; ') + (found.length > SHOWN ? `; and ${found.length - SHOWN} more` : '');
}

/** Why a command that writes must not go on without a project, naming the schemas found below; undefined when it may. */
export function noProjectReason(project: Project, what: string): string | undefined {
  if (!project.fallback) return undefined;
  const found = schemasBelow(project.cwd);
  const head = `No Prisma project in ${project.cwd}: refusing to ${what} with the bundled CitadelBuy runbook, which is the demo's`;
  if (!found.length) return `${head}; ${NONE} (--bundled if you do mean the CitadelBuy runbook).`;
  const which = found.length === 1 ? 'the Prisma schema' : `the ${found.length} Prisma schemas`;
  return `${head}. Use ${which} found below: ${each(found)}.`;
}

/** The console's shorter words (one message line): the runbook is shown read-only, and where the project is. */
export function noProjectLine(project: Project): string | undefined {
  if (!project.fallback) return undefined;
  const found = schemasBelow(project.cwd);
  const go =
    found.length === 1
      ? `quit, then cd ${found[0]!.projectDir} (or pass --schema ${found[0]!.schema})`
      : found.length
        ? `quit and start in your project: ${each(found)}`
        : NONE;
  return `no Prisma project here, so the bundled runbook is shown read-only; ${go}`;
}

/** Throws the refusal above on a LIVE database (the demo and a rehearsal copy may take any folder). */
export function requireProject(ws: Workspace, what: string): void {
  if (ws.mode !== 'live') return;
  const reason = noProjectReason(ws.project(), what);
  if (reason) throw new UserError(reason, 'refused');
}
