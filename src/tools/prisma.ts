// Prisma's own `migrate status`, as a second opinion in the checklist when the project beside the
// migrations folder has a Prisma CLI and a schema. The URL goes through the environment (DATABASE_URL,
// the variable a Prisma schema reads), never the command line.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { Target } from '../postgres/target.js';
import { redact } from '../postgres/secrets.js';
import { childEnvironment } from './pgTools.js';

export interface PrismaCrossCheck {
  ran: boolean;
  /** One line for the checklist's evidence. */
  summary: string;
  exitCode?: number;
}

/** prisma/migrations -> prisma/schema.prisma and the nearest node_modules/.bin/prisma above it. */
export function findPrismaProject(migrationsDir: string): { cli: string; schema: string } | undefined {
  const schema = path.join(path.dirname(migrationsDir), 'schema.prisma');
  if (!existsSync(schema)) return undefined;
  for (let dir = path.dirname(migrationsDir); ; dir = path.dirname(dir)) {
    const cli = path.join(dir, 'node_modules', '.bin', 'prisma');
    if (existsSync(cli)) return { cli, schema };
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The schema the console discovered (see src/project), with the variables its datasource reads. */
export interface DiscoveredSchema {
  schema: string;
  /** The project's root (Prisma runs there, so it finds prisma.config.ts as it would for the user). */
  root: string;
  urlVariables: string[];
}

function cliAbove(dir: string): string | undefined {
  for (;;) {
    const cli = path.join(dir, 'node_modules', '.bin', 'prisma');
    if (existsSync(cli)) return cli;
    if (path.dirname(dir) === dir) return undefined;
    dir = path.dirname(dir);
  }
}

/** Why Prisma's opinion cannot be had, exactly: no schema for the folder, or no CLI for the schema. */
function missingPiece(migrationsDir: string, discovered?: DiscoveredSchema): string {
  if (!discovered && !existsSync(path.join(path.dirname(migrationsDir), 'schema.prisma'))) {
    return `Prisma cross-check skipped: no Prisma schema for ${migrationsDir} (none in the project, nor schema.prisma beside the folder): pass --schema`;
  }
  const from = discovered?.root ?? path.dirname(migrationsDir);
  return `Prisma cross-check skipped: no Prisma CLI (node_modules/.bin/prisma) in ${from} or a folder above it: install the project's dependencies (npm ci) to have it`;
}

export async function prismaMigrateStatus(
  target: Target,
  migrationsDir: string,
  discovered?: DiscoveredSchema,
): Promise<PrismaCrossCheck> {
  const found = discovered ? cliAbove(discovered.root) : undefined;
  const project = discovered
    ? found
      ? { cli: found, schema: discovered.schema }
      : undefined
    : findPrismaProject(migrationsDir);
  if (!project) return { ran: false, summary: missingPiece(migrationsDir, discovered) };
  // Every variable the datasource reads names this target, so Prisma checks the same database.
  // The complete URL: Prisma reads no PG* variable or service file, and none is left for it anyway.
  const urls = Object.fromEntries(
    [...(discovered?.urlVariables ?? []), 'DATABASE_URL'].map((v) => [v, target.completeUrl]),
  );
  const r = await execa(project.cli, ['migrate', 'status', '--schema', project.schema], {
    cwd: discovered && found ? discovered.root : path.dirname(project.schema),
    env: childEnvironment(target, { ...urls, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1', NO_COLOR: '1' }),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 30_000,
    all: true,
  });
  const out = redact(String(r.all ?? ''));
  if (/Database schema is up to date/.test(out))
    return { ran: true, summary: 'prisma migrate status: up to date', exitCode: r.exitCode };
  const pending = /Following migrations? ha(?:s|ve) not yet been applied/.test(out);
  const failed = /have failed|failed migrations?/i.test(out);
  if (pending || failed)
    return {
      ran: true,
      summary: `prisma migrate status: ${failed ? 'reports failed migrations' : 'reports pending migrations'}`,
      exitCode: r.exitCode,
    };
  const last =
    out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? `exit ${r.exitCode}`;
  return { ran: true, summary: `prisma migrate status did not give a status (${last})`, exitCode: r.exitCode };
}
