// The Prisma schemas below a folder that is not itself a project (a monorepo's root): the refusal
// to use the bundled runbook on a database names them, with the `cd` or `--schema` that finds each.
import { readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';

export interface SchemaBelow {
  /** The schema file (or multi-file schema folder), relative to the folder searched. */
  schema: string;
  /** The project's folder, where Prisma would find it with no flags (relative). */
  projectDir: string;
}

/** A schema folder's project is the folder that holds `prisma/`; a lone schema.prisma's is its own folder. */
function projectOf(schemaDir: string): string {
  return path.basename(schemaDir) === 'prisma' ? path.dirname(schemaDir) : schemaDir;
}

const slash = (p: string) => p.split(path.sep).join('/') || '.';

/**
 * schema.prisma files and prisma/schema/ folders at most `depth` folders down, skipping
 * node_modules and hidden folders (a dependency's or a tool's schema is not the user's project).
 */
export function schemasBelow(root: string, depth = 3): SchemaBelow[] {
  const out: SchemaBelow[] = [];
  const walk = (dir: string, level: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // an unreadable folder is not the user's project
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.isFile() && e.name === 'schema.prisma') {
        out.push({
          schema: slash(path.relative(root, path.join(dir, e.name))),
          projectDir: slash(path.relative(root, projectOf(dir))),
        });
      }
    }
    if (
      path.basename(dir) === 'schema' &&
      path.basename(path.dirname(dir)) === 'prisma' &&
      entries.some((e) => e.isFile() && e.name.endsWith('.prisma'))
    ) {
      if (!out.some((s) => s.schema.startsWith(slash(path.relative(root, dir)) + '/'))) {
        out.push({
          schema: slash(path.relative(root, dir)),
          projectDir: slash(path.relative(root, path.dirname(path.dirname(dir)))),
        });
      }
      return;
    }
    // a prisma/ folder at the last level may still hold a multi-file schema in prisma/schema/
    const last = level >= depth;
    if (last && path.basename(dir) !== 'prisma') return;
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
      if (!last || e.name === 'schema') walk(path.join(dir, e.name), level + 1);
    }
  };
  walk(root, 0);
  return out;
}
